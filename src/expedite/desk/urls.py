from django.urls import path

from . import views

urlpatterns = [
    path("board/", views.board_view, name="board"),
    path("board/load/", views.board_load_view, name="board_load"),
]
