from django.urls import path

from driftstopp import views

app_name = "driftstopp"

urlpatterns = [
    path("efterregistrering/", views.after_entry, name="after_entry"),
    path("efterregistrering/<int:item_id>/klar/", views.after_entry_done, name="after_entry_done"),
]
