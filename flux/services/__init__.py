"""Flux services: plain keyword-only functions that check rights, validate, write and journal.

- patrimoine: RPLS import (``patrimoine_import_demander`` → job → ``patrimoine_import``);
- etat_des_lieux: ``reservation_create / _update / _delete``, spreadsheet import;
- exclusions: ``exclusion_save / _update / _delete``;
- conversion: ``conversion_calculer``, ``conversion_basculer``.
"""
