"""Child process of bench_patrimoine_import: one import, its time and its peak memory (RSS).

Run apart so that the peak RSS is the import's own, not the generator's or the COPY's.
"""

import json
import os
import resource
import sys
import time


def _rss_mo() -> float:
    with open("/proc/self/status") as fh:
        for ligne in fh:
            if ligne.startswith("VmRSS:"):
                return int(ligne.split()[1]) / 1024
    return 0.0


def main() -> int:
    path, bailleur_id, user_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from flux.services.patrimoine import patrimoine_import
    from reservataires.models import Organisation, User

    bailleur, user = Organisation.objects.get(pk=bailleur_id), User.objects.get(pk=user_id)
    avant = _rss_mo()
    debut = time.perf_counter()
    stats = patrimoine_import(bailleur=bailleur, path=path, by=user)
    duree = time.perf_counter() - debut
    pointe = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"secondes": duree, "rss_avant_mo": avant, "rss_pointe_mo": pointe, "stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
