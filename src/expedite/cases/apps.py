from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "expedite.cases"
    label = "cases"
    verbose_name = _("客户与加急单")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.audit.verify import register_file_source

        from .alternative import red_line_guard
        from .files import stored_documents
        from .lifecycle import register_guard
        from .pdfsafe import reportlab_offline
        from .views import register_case_panels

        reportlab_offline()
        register_case_panels()
        register_file_source("cases", stored_documents)
        register_guard(red_line_guard)
