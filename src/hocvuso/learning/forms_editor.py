"""Forms of the content editor's pages; they check the input, the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.models import (
    BASE_LANGUAGE,
    CONTENT_LANGUAGES,
    Course,
    Lesson,
    Publisher,
    Question,
    Topic,
)
from hocvuso.learning.selectors.authoring import ChoiceInput
from hocvuso.people.choices import TargetGroup
from hocvuso.places.models import Area

CHOICE_ROWS = 6
TRANSLATION_LANGUAGES = [
    (code, label) for code, label in CONTENT_LANGUAGES if code != BASE_LANGUAGE
]


class PublisherForm(forms.Form):
    name = forms.CharField(
        label=_("Tên đơn vị"),
        max_length=200,
        help_text=_("Ví dụ: Sở Khoa học và Công nghệ tỉnh Lào Cai, UBND xã Đông Cuông."),
    )
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=Publisher.Kind.choices)
    area_code = forms.CharField(
        label=_("Mã địa bàn"),
        max_length=16,
        help_text=_("VN cho cả nước, 2 chữ số cho tỉnh (15 là Lào Cai), 5 chữ số cho xã."),
    )

    def clean_area_code(self) -> Area:
        code = self.cleaned_data["area_code"].strip().upper()
        area = Area.objects.filter(code=code, is_active=True).first()
        if area is None:
            raise forms.ValidationError(_("Không có địa bàn mang mã này."))
        return area


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Tên khoá học"), max_length=200)
    summary = forms.CharField(
        label=_("Giới thiệu ngắn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Một hai câu: học xong, người học làm được gì."),
    )
    topic = forms.ChoiceField(label=_("Chủ đề"), choices=Topic.choices)
    target_groups = forms.MultipleChoiceField(
        label=_("Nhóm đối tượng"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Hãy chọn ít nhất một nhóm đối tượng.")},
    )
    is_sequential = forms.BooleanField(
        label=_("Học lần lượt"),
        required=False,
        initial=True,
        help_text=_("Bài sau chỉ mở khi đã hoàn thành bài trước."),
    )
    estimated_minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), min_value=1, max_value=10_000, initial=30
    )
    publisher = forms.ModelChoiceField(
        label=_("Đơn vị xuất bản"), queryset=Publisher.objects.none(), empty_label=None
    )

    def __init__(self, *args, publishers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = publishers

    @classmethod
    def initial_for(cls, course: Course) -> dict:
        return {
            "title": course.title,
            "summary": course.summary,
            "topic": course.topic,
            "target_groups": list(course.audiences.values_list("target_group", flat=True)),
            "is_sequential": course.is_sequential,
            "estimated_minutes": course.estimated_minutes,
            "publisher": course.publisher_id,
        }


class LessonCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại bài"), choices=Lesson.Kind.choices)
    title = forms.CharField(label=_("Tên bài"), max_length=200)


class LessonForm(forms.Form):
    """The fields every lesson has, plus those of its kind."""

    title = forms.CharField(label=_("Tên bài"), max_length=200)
    body = forms.CharField(
        label=_("Nội dung (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Dòng trống tách đoạn; ## cho tiêu đề mục; - cho danh sách; **chữ đậm**."),
    )
    estimated_minutes = forms.IntegerField(label=_("Thời lượng (phút)"), min_value=1, max_value=600)
    # Video
    video_url = forms.URLField(
        label=_("Hoặc đường dẫn video"),
        required=False,
        assume_scheme="https",
        help_text=_("Dùng khi video đã đăng ở nơi khác."),
    )
    video_file = forms.FileField(
        label=_("Tệp video (MP4 hoặc WebM)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    remove_video_file = forms.BooleanField(label=_("Xoá tệp video hiện có"), required=False)
    poster = forms.FileField(
        label=_("Ảnh bìa video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_poster = forms.BooleanField(label=_("Xoá ảnh bìa"), required=False)
    captions = forms.FileField(
        label=_("Phụ đề (tệp .vtt)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".vtt,text/vtt"}),
    )
    remove_captions = forms.BooleanField(label=_("Xoá phụ đề"), required=False)
    # Check
    pass_mark = forms.IntegerField(label=_("Điểm đạt (%)"), min_value=1, max_value=100)
    max_attempts = forms.IntegerField(
        label=_("Số lần làm tối đa"),
        min_value=0,
        max_value=100,
        help_text=_("0 là không giới hạn."),
    )
    shuffle_questions = forms.BooleanField(label=_("Xáo trộn câu hỏi"), required=False)
    draw_count = forms.IntegerField(
        label=_("Số câu rút từ ngân hàng"),
        min_value=0,
        max_value=500,
        help_text=_("0 là dùng tất cả câu hỏi."),
    )

    VIDEO_FIELDS = (
        "video_url",
        "video_file",
        "remove_video_file",
        "poster",
        "remove_poster",
        "captions",
        "remove_captions",
    )
    CHECK_FIELDS = ("pass_mark", "max_attempts", "shuffle_questions", "draw_count")

    def __init__(self, *args, lesson: Lesson, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": lesson.title,
                "body": lesson.body,
                "estimated_minutes": lesson.estimated_minutes,
                "video_url": lesson.video_url,
                "pass_mark": lesson.pass_mark,
                "max_attempts": lesson.max_attempts,
                "shuffle_questions": lesson.shuffle_questions,
                "draw_count": lesson.draw_count,
            },
        )
        super().__init__(*args, **kwargs)
        if lesson.kind != Lesson.Kind.VIDEO:
            for name in self.VIDEO_FIELDS:
                del self.fields[name]
        if lesson.kind != Lesson.Kind.CHECK:
            for name in self.CHECK_FIELDS:
                del self.fields[name]
        if lesson.kind == Lesson.Kind.CHECK:
            self.fields["body"].label = _("Lời dặn trước khi làm bài (Markdown)")
        if lesson.kind in (Lesson.Kind.VIDEO, Lesson.Kind.GUIDE):
            self.fields["body"].label = _("Lời giới thiệu (Markdown)")


class StepForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề bước"), max_length=200)
    instruction = forms.CharField(
        label=_("Hướng dẫn"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Một hai câu ngắn: bấm vào đâu, thấy gì."),
    )
    image = forms.FileField(
        label=_("Hình minh hoạ (JPEG, PNG, WebP)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_image = forms.BooleanField(label=_("Xoá hình hiện có"), required=False)
    image_alt = forms.CharField(
        label=_("Mô tả hình"),
        max_length=300,
        required=False,
        help_text=_("Cho người dùng trình đọc màn hình: hình cho thấy gì."),
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại câu hỏi"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Giải thích (hiện sau khi trả lời)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(CHOICE_ROWS):
            self.fields[f"choice_{index}"] = forms.CharField(
                label=_("Lựa chọn %(number)d") % {"number": index + 1},
                max_length=500,
                required=False,
            )
            self.fields[f"correct_{index}"] = forms.BooleanField(label=_("Đúng"), required=False)

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
        }
        for index, choice in enumerate(question.choices.all()[:CHOICE_ROWS]):
            initial[f"choice_{index}"] = choice.text
            initial[f"correct_{index}"] = choice.is_correct
        return initial

    def choice_rows(self) -> list[tuple]:
        return [(self[f"choice_{i}"], self[f"correct_{i}"]) for i in range(CHOICE_ROWS)]

    def choices(self) -> list[ChoiceInput]:
        return [
            ChoiceInput(self.cleaned_data[f"choice_{i}"], self.cleaned_data[f"correct_{i}"])
            for i in range(CHOICE_ROWS)
        ]


class LanguageForm(forms.Form):
    lang = forms.ChoiceField(label=_("Ngôn ngữ"), choices=TRANSLATION_LANGUAGES)


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Tên bài"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = list(steps)
        for step in self.steps:
            self.fields[f"step_{step.pk}_title"] = forms.CharField(
                label=_("Tiêu đề bước"), max_length=200, required=False
            )
            self.fields[f"step_{step.pk}_instruction"] = forms.CharField(
                label=_("Hướng dẫn"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def step_rows(self) -> list[tuple]:
        return [
            (step, self[f"step_{step.pk}_title"], self[f"step_{step.pk}_instruction"])
            for step in self.steps
        ]

    def step_texts(self) -> dict[int, tuple[str, str]]:
        return {
            step.pk: (
                self.cleaned_data[f"step_{step.pk}_title"],
                self.cleaned_data[f"step_{step.pk}_instruction"],
            )
            for step in self.steps
        }


class AudioForm(forms.Form):
    language = forms.ChoiceField(label=_("Ngôn ngữ của bản ghi"), choices=CONTENT_LANGUAGES)
    file = forms.FileField(
        label=_("Tệp ghi âm (MP3, M4A, OGG, WAV)"),
        widget=forms.FileInput(attrs={"accept": "audio/*"}),
    )


class PackageImportForm(forms.Form):
    publisher = forms.ModelChoiceField(
        label=_("Nhập vào đơn vị"), queryset=Publisher.objects.none(), empty_label=None
    )
    package = forms.FileField(
        label=_("Gói khoá học (.zip)"),
        widget=forms.FileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args, publishers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = publishers
