from django.urls import path

from standwith.outreach.embeds import views

# Under each language's prefix (/fr/embed/<key>/): the frame speaks the language of its address.
urlpatterns = [
    path("<str:key>/", views.frame_page, name="embed_frame"),
    path("<str:key>/sign", views.sign, name="embed_sign"),
    path("<str:key>/check-email", views.check_email, name="embed_check_email"),
]
