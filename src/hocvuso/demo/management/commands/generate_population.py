from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hocvuso.demo.synthetic import SyntheticDataError, generate_population


class Command(BaseCommand):
    help = _(
        "Tạo dân số mô phỏng quy mô quốc gia để đo hiệu năng: thôn dưới 3.321 xã, phường thật, "
        "hộ gia đình, người dân, mốc kỹ năng số, tổ công nghệ số cộng đồng, lượt hỗ trợ và lớp học. "
        "Chỉ dùng trên cơ sở dữ liệu riêng cho việc đo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, required=True, help=_("số người dân"))
        parser.add_argument("--seed", type=int, default=2025, help=_("hạt giống ngẫu nhiên"))
        parser.add_argument(
            "--reset", action="store_true", help=_("xoá dữ liệu mô phỏng cũ trước khi tạo")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("vẫn chạy khi cơ sở dữ liệu có người dân thật"),
        )

    def handle(self, *args, **options):
        try:
            result = generate_population(
                residents=options["residents"],
                seed=options["seed"],
                reset=options["reset"],
                force=options["force"],
                progress=lambda line: (
                    self.stdout.write(f"  {line}") if options["verbosity"] else None
                ),
            )
        except SyntheticDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Đã tạo %(villages)s thôn, %(households)s hộ, %(residents)s người dân, "
                "%(milestones)s mốc kỹ năng số, %(teams)s tổ (%(users)s tài khoản), "
                "%(visits)s lượt hỗ trợ, %(classes)s lớp học, %(attendances)s lượt điểm danh."
            )
            % {
                "villages": f"{result.villages:,}",
                "households": f"{result.households:,}",
                "residents": f"{result.residents:,}",
                "milestones": f"{result.milestones:,}",
                "teams": f"{result.teams:,}",
                "users": f"{result.users:,}",
                "visits": f"{result.visits:,}",
                "classes": f"{result.classes:,}",
                "attendances": f"{result.attendances:,}",
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s dòng trong %(seconds).1f giây: %(rate)s dòng/giây.")
                % {
                    "rows": f"{result.rows:,}",
                    "seconds": result.seconds,
                    "rate": f"{result.rows_per_second:,.0f}",
                }
            )
        )
        self.stdout.write(
            _("Bộ đếm theo dõi chưa tính dữ liệu này: chạy “hocvuso rebuild_counters”.")
        )
