import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vardmiljo.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the apps, the URLconf) lives as long as the worker:
# keep it out of the garbage collector's full passes, which otherwise walk it all and
# pause a request now and then.
gc.collect()
gc.freeze()
