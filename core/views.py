from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.models import Job
from core.scoping import get_visible_or_404, scoped
from reservataires.models import Membership


@login_required
def home(request):
    memberships = Membership.objects.filter(user=request.user, organisation__actif=True).select_related("organisation")
    jobs = Job.objects.visible_to(request.user)[:5]
    return render(request, "core/home.html", {"memberships": memberships, "jobs": jobs})


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by", "organisation")[:100]
    return render(request, "core/job_list.html", {"jobs": jobs})


@scoped(Job)
@login_required
def job_detail(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job, "progress": job.live_progress()})


@never_cache
@require_GET
def health(request):
    """Liveness for the load balancer and docker-compose: database and cache reachable."""
    status = {"base_de_donnees": "ok", "cache": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status["base_de_donnees"] = "indisponible"
        code = 503
    try:
        cache.set("health", 1, 5)
    except Exception:
        status["cache"] = "indisponible"
        code = 503
    return JsonResponse(status, status=code)
