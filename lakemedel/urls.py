from __future__ import annotations

from django.urls import path

from lakemedel import views

app_name = "lakemedel"
urlpatterns = [
    path("patient/<int:patient_id>/", views.medication_list, name="list"),
    path("patient/<int:patient_id>/ny/", views.order_new, name="order_new"),
    path("patient/<int:patient_id>/kontroll/", views.order_check, name="order_check"),
    path("patient/<int:patient_id>/fornya/", views.renew, name="renew"),
    path("patient/<int:patient_id>/genomgang/", views.review, name="review"),
    path("patient/<int:patient_id>/utskrift/", views.print_page, name="print"),
    path("patient/<int:patient_id>/utskrift.pdf", views.print_pdf, name="print_pdf"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/andra/", views.order_change, name="order_change"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/pausa/", views.order_pause, name="order_pause"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/ateruppta/", views.order_resume, name="order_resume"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/satt-ut/", views.order_discontinue, name="order_discontinue"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/historik/", views.order_history, name="order_history"),
    path("patient/<int:patient_id>/ordination/<int:order_id>/forskriv/", views.prescribe, name="prescribe"),
    path("produkter/sok/", views.product_search, name="product_search"),
    path("recept/misslyckade/", views.failed, name="failed"),
    path("sim/erecept/", views.sim_erecept, name="sim_erecept"),
]
