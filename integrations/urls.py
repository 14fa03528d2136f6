from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("exact/", views.exact_configure, name="exact_configure"),
    path("exact/authenticate/", views.exact_authenticate, name="exact_authenticate"),
    path("exact/callback/", views.exact_callback, name="exact_callback"),
    path("exact/test-connection/", views.exact_test_connection, name="exact_test_connection"),
    path("exact/take-over/", views.exact_take_over, name="exact_take_over"),
    path("exact/enable/", views.exact_enable, name="exact_enable"),
    path("exact/pause/", views.exact_pause, name="exact_pause"),
    path("exact/delete/", views.exact_delete, name="exact_delete"),
]
