from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from standwith import errors, privacy_views
from standwith.api.osdi import api as api_osdi
from standwith.api.v1 import api as api_v1
from standwith.campaigns import feeds, respond_views, search_views, share_views
from standwith.campaigns import views as campaigns
from standwith.outreach import views as outreach
from standwith.proposals import views as proposals
from standwith.public import public_page
from standwith.shield import challenge_views
from standwith.shield import views as shield
from standwith.signing import manage_views, source_views
from standwith.signing import views as signing
from standwith.staff import signin

urlpatterns = [
    # The sign form's proof-of-work puzzle, for the page's own script: not part of the documented API.
    path("api/v1/challenge", challenge_views.new_challenge, name="challenge"),
    path("api/v1/", api_v1.urls),
    path("api/osdi/v1/", api_osdi.urls),
    # Staff sign-in's second step, before the admin's catch-all.
    path("admin/second-factor/", signin.verify, name="staff_verify"),
    path("admin/second-factor/enrol/", signin.enrol, name="staff_enrol"),
    path(
        "admin/second-factor/recovery-codes/", admin.site.admin_view(signin.recovery_codes), name="staff_recovery_codes"
    ),
    path("admin/second-factor/sign-out/", signin.sign_out, name="staff_sign_out"),
    # The fraud console (standwith.shield), also before the admin's catch-all.
    path("admin/fraud/<int:petition_id>/", admin.site.admin_view(shield.fraud_console), name="shield_console"),
    path(
        "admin/fraud/<int:petition_id>/invalidate/", admin.site.admin_view(shield.invalidate), name="shield_invalidate"
    ),
    path(
        "admin/fraud/invalidation/<int:invalidation_id>/undo/", admin.site.admin_view(shield.undo), name="shield_undo"
    ),
    path("admin/sources/<int:petition_id>/", admin.site.admin_view(source_views.sources_screen), name="sources"),
    path("admin/reports/", include("standwith.reports.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", campaigns.media, name="media"),
    # Bounces and complaints from the mail provider (a shared secret, no cookie).
    path("outreach/bounces", outreach.bounce_webhook, name="bounce_webhook"),
    # A poster's code is the same in every language; the address it encodes is redirected to the reader's.
    path("p/<slug:slug>/qr.svg", share_views.qr_svg, name="qr_svg"),
    path("p/<slug:slug>/qr.png", share_views.qr_png, name="qr_png"),
]

# Pages carry their language in the path (/ru/p/...): one URL, one language,
# so a cached page is right for everyone who asks for that URL. An address
# without one (a shared link) is redirected by Accept-Language.
urlpatterns += i18n_patterns(
    path("", campaigns.home, name="home"),
    # Feed readers poll: served from the page cache like every public page.
    path("feed", public_page()(feeds.SiteUpdates()), name="site_feed"),
    path("search", search_views.search_page, name="search"),
    path("c/<slug:slug>/", campaigns.case_page, name="case"),
    path("c/<slug:slug>/feed", public_page()(feeds.CaseUpdates()), name="case_feed"),
    path("p/<slug:slug>/", campaigns.petition_page, name="petition"),
    path("p/<slug:slug>/sign", signing.sign, name="sign"),
    path("p/<slug:slug>/check-email", campaigns.check_email, name="check_email"),
    path("p/<slug:slug>/confirm/<str:token>/", signing.confirm, name="confirm"),
    path("p/<slug:slug>/thanks", campaigns.thanks, name="thanks"),
    # The signer's own page, from the link in every email they get: see, change, download, withdraw, erase.
    path("p/<slug:slug>/manage/<str:token>/", manage_views.manage_signature, name="manage_signature"),
    path("privacy", privacy_views.privacy, name="privacy"),
    # From every mailing: a page with a button, and the target of mail apps' one-click unsubscribe (RFC 8058).
    path("unsubscribe/<str:token>/", outreach.unsubscribe, name="unsubscribe"),
    path("p/<slug:slug>/share.png", share_views.share_image, name="share_image"),
    # A petition's sign form in a frame on a partner's site (standwith.outreach.embeds).
    path("embed/", include("standwith.outreach.embeds.urls")),
    # A petition's target answers through the private link in its milestone email.
    path("respond/<str:token>/", respond_views.respond, name="respond"),
    # Proposals from the public: private pages, reached by signed links from emails.
    path("propose/", proposals.propose, name="propose"),
    path("propose/sent", proposals.sent, name="proposal_sent"),
    path("propose/confirm/<str:token>/", proposals.confirm, name="proposal_confirm"),
    path("propose/mine/<str:token>/", proposals.proposal, name="proposal"),
    path("support/<str:key>/", proposals.support, name="support"),
    path("support/sent", proposals.sent, {"supporting": True}, name="support_sent"),
)

if settings.BENCH_VIEWS:
    from standwith import benchviews

    urlpatterns += [path("_bench/hello", benchviews.hello), path("_bench/insert", benchviews.insert)]

handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
