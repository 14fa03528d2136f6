from django.http import HttpResponse
from django.urls import path

app_name = "billing"

urlpatterns = [
    path("", lambda request: HttpResponse(""), name="invoice_list"),
]
