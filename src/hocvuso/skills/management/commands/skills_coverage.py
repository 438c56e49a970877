"""hocvuso skills_coverage: print, for each current profile, which required competences have no
course or no question (the editors' coverage page, as text)."""

from django.core.management.base import BaseCommand

from hocvuso.skills.selectors import current_profiles, profile_coverage


class Command(BaseCommand):
    help = "In độ phủ của khung theo nhóm đối tượng: năng lực chưa có khoá học hoặc câu hỏi."

    def handle(self, *args, **options):
        for profile in current_profiles():
            self.stdout.write(f"{profile.title} ({profile.version_label})")
            for row in profile_coverage(profile):
                competence = row.requirement.competence
                courses = ", ".join(course.slug for course in row.courses) or "CHƯA CÓ KHOÁ HỌC"
                if row.questions == 0:
                    questions = "CHƯA CÓ CÂU HỎI"
                elif row.is_short:
                    questions = f"{row.questions} câu (ít hơn {row.needed} câu cần rút)"
                else:
                    questions = f"{row.questions} câu"
                if row.questions and row.at_level < row.questions:
                    questions += f"; {row.at_level} câu ở đúng mức {row.requirement.level}"
                self.stdout.write(
                    f"  {competence.code:>4} mức {row.requirement.level} — {competence.title}\n"
                    f"       khoá học: {courses}\n       câu hỏi: {questions}"
                )
