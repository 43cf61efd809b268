from django.urls import path

from . import views

urlpatterns = [
    path("board/", views.board_view, name="board"),
]
