import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expedite.web.settings")
from expedite.web.bodylimit import StreamedBodyLimit

# Chunked bodies are capped here, before Django; declared lengths in the middleware.
application = StreamedBodyLimit(get_wsgi_application())
