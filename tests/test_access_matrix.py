"""Deny by default: every route × every persona × GET and POST has an expected
outcome in EXPECTED, and a route without a row fails the suite.

Each request runs against real objects (a client on `clinician`'s caseload, a
goal, a draft and a signed note, a staff member, a one-time password link) and
is rolled back afterwards, so every cell sees the same world. POSTs carry an
empty body: the point is who gets in, not what a full form does (the feature
modules test that). Every page that answers 200 is also checked for inline
script and style (the Content-Security-Policy forbids both).

Cells read "GET POST"; each side is a status code, "login" (sent to sign in,
with `?next=` bringing the person back to the page they asked for) or
">view_name" (redirected to that page; ">login" is the sign-in page itself,
with no way back, as after signing out).
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import caches
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from appointments.models import Appointment
from clients.models import Client, EmergencyGrant
from consents.models import (
    Consent,
    ConsentKind,
    Disclosure,
    DisclosureKind,
    Item,
    SignedHow,
)
from consents.services import RecipientIn, consent_create, disclosure_record
from goals.models import Goal, GoalRating
from groups.models import Group, GroupMeeting, GroupMembership
from groups.services import group_create
from measures.models import MeasureResponse
from measures.services import measure_record
from records.amendments import amendment_request_record
from records.models import AmendmentRequest, CopyFormat, CopyRequest, RecordExport
from records.services import copy_request_log, export_start
from sessions.models import Addendum, CounselingNote, TherapySession
from sessions.services import counseling_note_create, therapy_session_sign
from staff.models import SignedInSession, User, session_key_hash
from staff.tokens import password_link_token
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    ClinicianFactory,
    EmergencyGrantFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.groups_data import meeting_of
from tests.signin import signed_in
from tests.urlwalk import project_routes

PERSONAS = ("anon", "owner", "outsider", "supervisor", "other_supervisor", "admin")


Row = tuple[str, str, str, str, str, str]  # one cell per persona, in PERSONAS order

# owner: `clinician`, whose caseload holds the client, goal and notes.
# outsider: a clinician on another team. supervisor: the owner's supervisor, who
# reads (200) but may not change (403) a supervisee's records. other supervisor:
# supervises the outsider. admin: staff pages only, no clinical content (404).
# Read-only pages refuse POST (405); POST-only actions refuse GET (405).
# An empty POST to a form re-renders it with errors (200); to a note form it
# saves an empty draft (drafts keep whatever was typed, product rule 7).
# set_password answers everyone the same way: it moves the token into the
# session and redirects (the page is public; the link is the credential).
# fmt: off
EXPECTED: dict[str, Row] = {
    # route                       anonymous                       owner                            outsider                         supervisor                       other supervisor                 admin
    "appointments:cancel_rest":  ("login login", "405 >appointments:detail", "405 404", "405 403", "405 404", "405 404"),
    "appointments:create":       ("login login", "200 200", "404 404", "403 403", "404 404", "404 404"),
    "appointments:detail":       ("login login", "200 405", "404 405", "200 405", "404 405", "404 405"),
    "appointments:outcome":      ("login login", "405 >appointments:detail", "405 404", "405 403", "405 404", "405 404"),
    "appointments:update":       ("login login", "200 200", "404 404", "403 403", "404 404", "404 404"),
    "measures:list":             ("login login", "200 405", "404 405", "200 405", "404 405", "404 405"),
    "measures:create":           ("login login", "200 200", "404 404", "403 403", "404 404", "404 404"),
    "measures:detail":           ("login login", "200 405", "404 405", "200 405", "404 405", "404 405"),
    "measures:safety_check":     ("login login", "405 200", "405 404", "405 403", "405 404", "405 404"),
    "clients:close":             ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "clients:create":            ("login login",                  "200 200",                       "200 200",                       "200 200",                       "200 200",                       "404 404"),
    "clients:detail":            ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "clients:pdf":               ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "clients:emergency":         ("login login",                  "200 200",                       "200 200",                       "200 200",                       "200 200",                       "404 404"),
    "clients:emergency_confirm": ("login login",                  ">clients:emergency >clients:emergency", ">clients:emergency >clients:emergency", ">clients:emergency >clients:emergency", ">clients:emergency >clients:emergency", "404 404"),
    "clients:emergency_list":    ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "clients:emergency_review":  ("login login",                  "404 404",                       "404 404",                       "200 200",                       "404 404",                       "404 404"),
    "emergency_access_admin":    ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "clients:list":              ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "audit:client_history":     ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "audit:export":             ("login login",                   "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "audit:report":             ("login login",                   "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "audit:event":              ("login login",                   "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "clients:reach_out":        ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "clients:attempts":          ("login login",                  "200 200",                       "404 404",                       "200 403",                       "404 404",                       "404 404"),
    "clients:review_on":         ("login login",                  "405 >clients:detail",           "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "clients:reassign":          ("login login",                  "404 404",                       "404 404",                       "200 200",                       "404 404",                       "200 200"),
    "clients:search":            ("login login",                  "405 >clients:list",             "405 >clients:list",             "405 >clients:list",             "405 >clients:list",             "405 404"),
    "clients:status":            ("login login",                  "405 >clients:detail",           "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "clients:update":            ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "clients:wants":             ("login login",                  "200 200",                       "404 404",                       "200 403",                       "404 404",                       "404 404"),
    "consents:accounting":      ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "consents:client":          ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "consents:create":          ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "consents:detail":          ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "consents:notice":          ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405"),
    "consents:notice_record":   ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "consents:revoke":          ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "consents:sign":            ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "records:client":           ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "records:request_create":   ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "records:export_create":    ("login login",                   "405 >records:export",           "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "records:export":           ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "records:export_download":  ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "records:export_retry":     ("login login",                   "405 >records:export",           "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "records:request_fulfil":   ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "records:due":              ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "appointments:today":       ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "appointments:week":        ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "appointments:team_week":   ("login login",                   "404 405",                       "404 405",                       "200 405",                       "200 405",                       "404 405"),
    "appointments:feed":        ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "appointments:feed_on":     ("login login",                   "405 >appointments:feed",        "405 >appointments:feed",        "405 >appointments:feed",        "405 >appointments:feed",        "405 404"),
    "appointments:feed_off":    ("login login",                   "405 >appointments:feed",        "405 >appointments:feed",        "405 >appointments:feed",        "405 >appointments:feed",        "405 404"),
    "appointments:feed_ics":    ("404 405",                       "404 405",                       "404 405",                       "404 405",                       "404 405",                       "404 405"),
    "consents:disclosure":      ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "consents:disclosure_pdf":  ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "consents:share":           ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "consents:share_without_consent": ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "records:amendment_list":   ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "records:amendment_create": ("login login",                   "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "records:amendment_detail": ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "records:amendment_decide": ("login login",                   "405 200",                       "405 404",                       "405 200",                       "405 404",                       "405 404"),
    "records:amendment_statement": ("login login",                "405 200",                       "405 404",                       "405 200",                       "405 404",                       "405 404"),
    # Groups (issue #24): only a group's facilitators (the owner here) open it;
    # a member's own care team reads their group notes on the record instead.
    "groups:list":               ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "groups:create":             ("login login",                  "200 200",                       "200 200",                       "200 200",                       "200 200",                       "404 404"),
    "groups:detail":             ("login login",                  "200 405",                       "404 405",                       "404 405",                       "404 405",                       "404 405"),
    "groups:member_add":         ("login login",                  "405 >groups:detail",            "405 404",                       "405 404",                       "405 404",                       "405 404"),
    "groups:member_leave":       ("login login",                  "405 >groups:detail",            "405 404",                       "405 404",                       "405 404",                       "405 404"),
    "groups:meeting_create":     ("login login",                  "200 200",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "groups:meeting":            ("login login",                  "200 >groups:meeting",           "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "groups:meeting_sign":       ("login login",                  "200 200",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "goals:change":              ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "goals:create":              ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "goals:detail":              ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "goals:rate":                ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "goals:status":              ("login login",                  "405 >goals:detail",             "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "goals:update":              ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "healthz":                  ("200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405"),
    "home":                      ("login login",                  ">appointments:today 405",      ">appointments:today 405",             ">team:dashboard 405",           ">team:dashboard 405",           ">staff:list 405"),
    "keep_alive":                ("login login",                  "405 204",                       "405 204",                       "405 204",                       "405 204",                       "405 204"),
    "login":                     ("200 200",                      ">home >home",                   ">home >home",                   ">home >home",                   ">home >home",                   ">home >home"),
    "logout":                    ("405 >login",                   "405 >login",                    "405 >login",                    "405 >login",                    "405 >login",                    "405 >login"),
    "mfa_enrol":                 ("login login",                  ">home >home",                   ">home >home",                   ">home >home",                   ">home >home",                   ">home >home"),
    "mfa_recovery_codes":        ("login login",                  ">home 405",                     ">home 405",                     ">home 405",                     ">home 405",                     ">home 405"),
    "mfa_verify":                ("login login",                  ">home >home",                   ">home >home",                   ">home >home",                   ">home >home",                   ">home >home"),
    "password_change":            ("login login",                   "200 200",                       "200 200",                       "200 200",                       "200 200",                       "200 200"),
    "records:fhir":             ("login login",                   "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    # The client's screen: handing over is the client's own clinician's (an
    # empty choice goes back to the record); the screen's pages are found only
    # while this browser holds a hand-over (tests/test_client_screen.py walks
    # them), and the page a time-out ends on shows nothing to anyone.
    "screen:hand_over":          ("login login",                  "405 >clients:detail",           "405 404",                       "405 403",                       "405 404",                       "405 404"),
    "screen:home":               ("login login",                  "404 405",                       "404 405",                       "404 405",                       "404 405",                       "404 405"),
    "screen:goals":              ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "screen:consent":            ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "screen:checkin":            ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "screen:measure":            ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "screen:give_back":          ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "screen:closed":             ("200 405",                      "200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405"),
    "sessions:addendum":         ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:checkin":          ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:cosign":          ("login login",                   "404 404",                       "404 404",                       "405 >sessions:detail",          "405 404",                       "404 404"),
    "sessions:counseling_create": ("login login",                 "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:counseling_detail": ("login login",                 "200 405",                       "404 405",                       "404 405",                       "404 405",                       "404 405"),
    "sessions:counseling_list":  ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "sessions:counseling_update": ("login login",                 "200 200",                       "404 404",                       "404 404",                       "404 404",                       "404 404"),
    "sessions:create":           ("login login",                  "200 >sessions:update",          "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:discard":          ("login login",                  "200 >sessions:list",            "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:detail":           ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "sessions:hand_over":       ("login login",                   "404 404",                       "404 404",                       "405 >sessions:detail",          "405 404",                       "404 404"),
    "sessions:language_check":   ("login login",                  "405 200",                       "405 200",                       "405 200",                       "405 200",                       "405 200"),
    "sessions:language_guide":   ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405"),
    "sessions:list":             ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "sessions:checkin_trend":     ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "sessions:mine":            ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "sessions:print":            ("login login",                  "200 405",                       "404 405",                       "200 405",                       "404 405",                       "404 405"),
    "sessions:return":          ("login login",                   "404 404",                       "404 404",                       "200 200",                       "404 404",                       "404 404"),
    "sessions:review_queue":    ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "404 404"),
    "sessions:search":           ("login login",                  ">sessions:search_results >sessions:search_results", ">sessions:search_results >sessions:search_results", ">sessions:search_results >sessions:search_results", ">sessions:search_results >sessions:search_results", "404 404"),
    "sessions:search_results":   ("login login",                  "200 405",                       "200 405",                       "200 405",                       "200 405",                       "404 405"),
    "sessions:sign":             ("login login",                  "200 200",                       "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "sessions:update":           ("login login",                  "200 >sessions:update",          "404 404",                       "403 403",                       "404 404",                       "404 404"),
    "set_password":              (">set_password >set_password",  ">set_password >set_password",   ">set_password >set_password",   ">set_password >set_password",   ">set_password >set_password",   ">set_password >set_password"),
    "signed_in_session_end":      ("login login",                   "405 >signed_in_sessions",       "405 404",                       "405 404",                       "405 404",                       "405 404"),
    "signed_in_sessions":         ("login login",                   "200 405",                       "200 405",                       "200 405",                       "200 405",                       "200 405"),
    "signed_in_sessions_end_others": ("login login",                   "405 >signed_in_sessions",       "405 >signed_in_sessions",       "405 >signed_in_sessions",       "405 >signed_in_sessions",       "405 >signed_in_sessions"),
    "staff:caseload":            ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 200"),
    "staff:create":              ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 200"),
    "staff:deactivate":          ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 >staff:detail"),
    "staff:detail":              ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "staff:list":                ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "staff:needs_clinician":     ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 405"),
    "staff:password_reset":      ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "405 >staff:detail"),
    "staff:reactivate":          ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "405 >staff:detail"),
    "staff:search":              ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "405 >staff:list"),
    "staff:second_factor_reset": ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "405 >staff:detail"),
    "staff:update":              ("login login",                  "404 404",                       "404 404",                       "404 404",                       "404 404",                       "200 200"),
    "reports:figures":          ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "200 405"),
    "reports:export":           ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "200 405"),
    "team:dashboard":           ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "404 404"),
    "team:export":              ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "404 404"),
    "team:member_clients":      ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:member_drafts":       ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:member_reach_out":    ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:member_returned":     ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:member_sessions":     ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:member_waiting":      ("login login",                   "404 404",                       "404 404",                       "200 405",                       "404 405",                       "404 404"),
    "team:reach_out":           ("login login",                   "404 404",                       "404 404",                       "200 405",                       "200 405",                       "404 404"),
}
# fmt: on


@dataclass
class World:
    client_record: Client
    goal: Goal
    draft: TherapySession
    signed: TherapySession
    staff_member: User
    newcomer: User
    grant: EmergencyGrant
    counseling_note: CounselingNote
    consent: Consent
    disclosure: Disclosure
    export: RecordExport
    copy_request: CopyRequest
    amendment: AmendmentRequest
    appointment: Appointment
    measure: MeasureResponse
    owners_other_session: SignedInSession
    group: Group
    meeting: GroupMeeting
    membership: GroupMembership
    http: dict[str, HttpClient]


@pytest.fixture
def world(
    clinician: User,
    outsider: User,
    supervisor: User,
    other_supervisor: User,
    admin_user: User,
) -> World:
    client_record = ClientFactory.create(clinician=clinician)
    goal = GoalFactory.create(client=client_record)
    draft = TherapySessionFactory.create(client=client_record)
    signed = therapy_session_sign(
        session=TherapySessionFactory.create(client=client_record),
        by=clinician,
        expected_version=1,
    )
    newcomer = ClinicianFactory.create(username="newcomer", supervisor=supervisor)
    newcomer.set_unusable_password()
    newcomer.save()
    # The owner is signed in on a second browser too: the session they may end.
    other_browser = signed_in(clinician)
    owners_other_session = SignedInSession.objects.get(
        key_hash=session_key_hash(other_browser.session.session_key or "")
    )
    # A group the owner facilitates, the client a member, a meeting two hours ago.
    group = group_create(
        by=clinician,
        name="Test group",
        purpose="",
        facilitators=[],
        members=[client_record],
        joined_on=datetime.date.today() - datetime.timedelta(days=7),
    )
    return World(
        client_record=client_record,
        goal=goal,
        draft=draft,
        signed=signed,
        staff_member=clinician,
        newcomer=newcomer,
        # The outsider's emergency access to another of the owner's clients:
        # the supervisor reviews it.
        grant=EmergencyGrantFactory.create(
            client=ClientFactory.create(clinician=clinician), grantee=outsider
        ),
        # The owner's own counseling note (the owner needs no co-signature,
        # so their supervisor does not read it either).
        counseling_note=counseling_note_create(
            client=client_record, by=clinician, text="Counseling note text"
        ),
        # Waiting for the client to sign on the device (the signing screen's form).
        consent=consent_create(
            client=client_record,
            by=clinician,
            kind=ConsentKind.NAMED,
            items=[Item.GOALS],
            recipients=[RecipientIn(name="Test Recipient")],
            expiry_event="the end of my care",
            signed_how=SignedHow.DEVICE,
        ),
        # Told to a doctor in an emergency (no consent needed).
        disclosure=disclosure_record(
            client=client_record,
            by=clinician,
            kind=DisclosureKind.MEDICAL_EMERGENCY,
            recipient_name="Dr Test",
            recipient_facility="Test Hospital",
            emergency_nature="Test emergency",
            scope=[Item.GOALS],
            item_ids=[goal.pk],
        ),
        # A PDF of the record, made (in the request, as in every test).
        export=export_start(client=client_record, by=clinician),
        copy_request=copy_request_log(
            client=client_record,
            by=clinician,
            asked_on=datetime.date.today(),
            format=CopyFormat.PDF,
        ),
        # A request to change the record, waiting for a decision.
        amendment=amendment_request_record(
            client=client_record,
            by=clinician,
            part="other",
            other_part="my name",
            what="Test change",
            why="Test reason",
            asked_on=signed.started_at.date(),
        ),
        # One still to come, with no outcome yet (so it can be changed).
        appointment=AppointmentFactory.create(client=client_record),
        # A PHQ-9 whose item 9 asks for a safety check-in, not yet recorded.
        measure=measure_record(
            client=client_record,
            by=clinician,
            code="phq9",
            answers={str(n): 1 for n in range(1, 10)},
        ),
        owners_other_session=owners_other_session,
        group=group,
        meeting=meeting_of(group, clinician),
        membership=group.members.get(),
        http={
            "anon": HttpClient(),
            "owner": signed_in(clinician),
            "outsider": signed_in(outsider),
            "supervisor": signed_in(supervisor),
            "other_supervisor": signed_in(other_supervisor),
            "admin": signed_in(admin_user),
        },
    )


def url_for(name: str, w: World) -> str:
    """A concrete URL for each route, with the ids of real objects."""
    by_object: dict[str, object] = {
        "clients": w.client_record.pk,
        "goals:create": w.client_record.pk,
        "goals": w.goal.pk,
        "sessions:list": w.client_record.pk,
        "sessions:checkin_trend": w.client_record.pk,
        "sessions:create": w.client_record.pk,
        "sessions:update": w.draft.pk,
        "sessions:sign": w.draft.pk,
        "sessions:hand_over": w.draft.pk,
        "sessions:discard": w.draft.pk,
        "sessions:counseling_create": w.client_record.pk,
        "sessions:counseling_detail": w.counseling_note.pk,
        "sessions:counseling_update": w.counseling_note.pk,
        "sessions": w.signed.pk,
        "staff": w.staff_member.pk,
        "team": w.staff_member.pk,
        "audit": w.client_record.pk,
        "clients:emergency_review": w.grant.pk,
        # The first event of the trail (signing the note wrote one).
        "audit:event": 1,
        "signed_in_session_end": w.owners_other_session.pk,
        "consents": w.consent.pk,
        "consents:client": w.client_record.pk,
        "consents:notice_record": w.client_record.pk,
        "consents:create": w.client_record.pk,
        "consents:share": w.client_record.pk,
        "consents:share_without_consent": w.client_record.pk,
        "consents:disclosure": w.disclosure.pk,
        "consents:disclosure_pdf": w.disclosure.pk,
        "records:client": w.client_record.pk,
        "records:request_create": w.client_record.pk,
        "records:export_create": w.client_record.pk,
        "records:export": w.export.pk,
        "records:export_download": w.export.pk,
        "records:export_retry": w.export.pk,
        "records:request_fulfil": w.copy_request.pk,
        "consents:accounting": w.client_record.pk,
        "records:fhir": w.client_record.pk,
        "records:amendment_list": w.client_record.pk,
        "records:amendment_create": w.client_record.pk,
        "records": w.amendment.pk,
        "appointments:create": w.client_record.pk,
        "appointments": w.appointment.pk,
        "measures:list": w.client_record.pk,
        "measures": w.measure.pk,
        "screen:hand_over": w.client_record.pk,
        "groups": w.group.pk,
        "groups:meeting": w.meeting.pk,
        "groups:meeting_sign": w.meeting.pk,
        "groups:member_leave": w.membership.pk,
    }
    if name == "set_password":
        return reverse(
            name,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(w.newcomer.pk)),
                "token": password_link_token.make_token(w.newcomer),
            },
        )
    if name == "measures:create":
        return reverse(name, args=[w.client_record.pk]) + "?measure=phq9"
    try:
        return reverse(name)
    except Exception:
        pass
    key = name if name in by_object else name.split(":")[0]
    return reverse(name, args=[by_object[key]])


def outcome(response: object, url: str) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    if status in (301, 302, 303):
        location = urlsplit(response["Location"])  # type: ignore[index]
        if location.path == reverse("login") and location.query:
            back = parse_qs(location.query).get("next")
            return "login" if back == [url] else f"login?{location.query}"
        return ">" + resolve(location.path).view_name
    return str(status)


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_code(path: str, content: bytes) -> None:
    assert b'style="' not in content, f"inline style on {path}"
    assert not INLINE_SCRIPT.search(content), f"inline <script> on {path}"
    assert not INLINE_HANDLER.search(content), f"inline event handler on {path}"


def _forget_cached_session(http: HttpClient) -> None:
    """The rollback above undid whatever the request wrote to its session's
    row; the session's cached copy (staff.session_store) goes the same way, so
    the next request reads the row as it now is."""
    cookie = http.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + cookie.value)


def run(name: str, w: World) -> Row:
    url = url_for(name, w)
    cells = []
    for persona in PERSONAS:
        http = w.http[persona]
        results = []
        for method in (http.get, http.post):
            with transaction.atomic():
                response = method(url)
                transaction.set_rollback(True)
            _forget_cached_session(http)
            if response.status_code == 200 and "html" in response.get(
                "Content-Type", ""
            ):
                assert_no_inline_code(url, response.content)
            results.append(outcome(response, url))
        cells.append(" ".join(results))
    return tuple(cells)  # type: ignore[return-value]


ROUTE_NAMES = sorted({r.name for r in project_routes()})


def test_every_route_has_a_row() -> None:
    assert set(ROUTE_NAMES) == set(EXPECTED)


@pytest.mark.parametrize(
    "path", ["/django-admin/", "/django-admin/login/", "/django-admin/staff/user/"]
)
def test_the_django_admin_is_gone_for_everyone(path: str, world: World) -> None:
    """Removed (issue #18): it changed roles and passwords past the staff history
    and the audit trail."""
    for persona in PERSONAS:
        http = world.http[persona]
        assert http.get(path).status_code == 404, persona
        assert http.post(path).status_code == 404, persona


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_access(name: str, world: World) -> None:
    assert run(name, world) == EXPECTED[name]


# Tampering: ids sent in a POST body are re-scoped like ids in a URL. Each test
# posts an id the person may not use and checks that nothing changed.


def test_a_rating_for_another_clinicians_goal_is_ignored(
    world: World, outsider: User
) -> None:
    foreign_goal = GoalFactory.create(client=ClientFactory.create(clinician=outsider))
    own_goal = world.goal
    world.http["owner"].post(
        reverse("sessions:create", args=[world.client_record.pk]),
        {
            "form_token": str(uuid.uuid4()),
            f"score_{foreign_goal.pk}": "7",
            f"comment_{foreign_goal.pk}": "tampered",
            f"score_{own_goal.pk}": "4",
        },
    )
    assert not GoalRating.objects.filter(goal=foreign_goal).exists()
    assert GoalRating.objects.filter(goal=own_goal, score=4).exists()


def test_a_supervisor_cannot_create_a_client_for_another_team(
    world: World, outsider: User
) -> None:
    response = world.http["supervisor"].post(
        reverse("clients:create"),
        {"chosen_name": "Tamper Test", "clinician": outsider.pk},
    )
    assert response.status_code == 200  # the form, with the choice refused
    assert not Client.objects.filter(chosen_name="Tamper Test").exists()
    assert not Client.objects.filter(clinician=outsider).exists()


def test_a_clinician_cannot_move_their_client_by_posting_a_clinician(
    world: World, outsider: User
) -> None:
    client = world.client_record
    world.http["owner"].post(
        reverse("clients:update", args=[client.pk]),
        {"chosen_name": client.chosen_name, "clinician": outsider.pk},
    )
    client.refresh_from_db()
    assert client.clinician_id == world.staff_member.pk


def test_a_caseload_move_ignores_a_client_from_elsewhere(
    world: World, outsider: User, supervisor: User
) -> None:
    elsewhere = ClientFactory.create(clinician=outsider)
    url = reverse("staff:caseload") + f"?clinician={world.staff_member.pk}"
    world.http["admin"].post(
        url,
        {
            f"client_{elsewhere.pk}": supervisor.pk,
            f"client_{uuid.uuid4()}": supervisor.pk,
        },
    )
    elsewhere.refresh_from_db()
    assert elsewhere.clinician_id == outsider.pk
    world.client_record.refresh_from_db()
    assert world.client_record.clinician_id == world.staff_member.pk


def test_an_addendum_to_someone_elses_note_is_refused(
    world: World, outsider: User
) -> None:
    foreign = therapy_session_sign(
        session=TherapySessionFactory.create(
            client=ClientFactory.create(clinician=outsider)
        ),
        by=outsider,
        expected_version=1,
    )
    response = world.http["owner"].post(
        reverse("sessions:addendum", args=[foreign.pk]),
        {"reason": "tamper", "text": "tamper", "form_token": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    # The supervisor of the author may read the note but not add to it.
    response = world.http["supervisor"].post(
        reverse("sessions:addendum", args=[world.signed.pk]),
        {"reason": "tamper", "text": "tamper", "form_token": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert not Addendum.objects.exists()


def test_a_goal_status_change_for_another_clinicians_goal_is_refused(
    world: World,
) -> None:
    response = world.http["outsider"].post(
        reverse("goals:status", args=[world.goal.pk]), {"status": "reached"}
    )
    assert response.status_code == 404
    world.goal.refresh_from_db()
    assert world.goal.status == "active"
