from django.http import HttpResponse


def area_detail(request, code):
    return HttpResponse(code)


def villages(request, code):
    return HttpResponse(code)
