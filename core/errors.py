from django.shortcuts import render


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    message = (
        "Ce formulaire a expiré ou ne provient pas de cette application (protection CSRF). "
        "Rechargez la page puis recommencez : rien n'a été enregistré."
    )
    return render(request, "errors/403.html", {"reason": message}, status=403)
