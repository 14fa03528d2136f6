from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/finalise/", views.invoice_finalise_view, name="invoice_finalise"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
