//! Campaigns (admins launch them) and personal offers (shoppers activate them).

// The campaign form has one argument per field (the server function's wire format).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::campaigns::{AudiencePreview, CampaignReport, CampaignSummary, MyOffer};
#[cfg(feature = "ssr")]
use crate::{model::account::Role, model::campaigns::CampaignForm, server_fns::guard::as_role};

/// The audience's size and who the consents leave out (admins): the form as it stands.
#[server(prefix = "/api", endpoint = "campaign_preview")]
pub async fn campaign_preview(
    #[server(default)] filters: String,
    #[server(default)] churn_below: String,
    #[server(default)] value_decile: String,
    #[server(default)] affinity_department: String,
    #[server(default)] affinity_days: String,
    #[server(default)] lapsed_days: String,
    #[server(default)] enrolment_store: String,
    #[server(default)] level_min: String,
    #[server(default)] holdout: String,
) -> Result<AudiencePreview, AppError> {
    let form = CampaignForm {
        filters,
        churn_below,
        value_decile,
        affinity_department,
        affinity_days,
        lapsed_days,
        enrolment_store,
        level_min,
        ..Default::default()
    };
    as_role(Role::Admin, |s, _| async move {
        let audience = form.audience().map_err(|(field, message)| AppError::invalid(field, message))?;
        s.campaigns.preview(audience, holdout).await
    })
    .await
}

/// Launches a campaign (admins). Field names are the form's.
#[server(prefix = "/api", endpoint = "campaign_launch")]
pub async fn campaign_launch(
    name: String,
    starts_on: String,
    ends_on: String,
    #[server(default)] filters: String,
    #[server(default)] churn_below: String,
    #[server(default)] value_decile: String,
    #[server(default)] affinity_department: String,
    #[server(default)] affinity_days: String,
    #[server(default)] lapsed_days: String,
    #[server(default)] enrolment_store: String,
    #[server(default)] level_min: String,
    offer_kind: String,
    #[server(default)] target_kind: String,
    #[server(default)] target: String,
    #[server(default)] factor: String,
    #[server(default)] points: String,
    #[server(default)] min_spend_eur: String,
    #[server(default)] voucher_eur: String,
    budget: String,
    #[server(default)] per_shopper_limit: String,
    #[server(default)] holdout: String,
) -> Result<CampaignSummary, AppError> {
    let form = CampaignForm {
        name,
        starts_on,
        ends_on,
        filters,
        churn_below,
        value_decile,
        affinity_department,
        affinity_days,
        lapsed_days,
        enrolment_store,
        level_min,
        offer_kind,
        target_kind,
        target,
        factor,
        points,
        min_spend_eur,
        voucher_eur,
        budget,
        per_shopper_limit,
        holdout,
    };
    as_role(Role::Admin, |s, user| async move {
        let input = form.input().map_err(|(field, message)| AppError::invalid(field, message))?;
        s.campaigns.launch(&user, input).await
    })
    .await
}

/// Every campaign, newest first (admins).
#[server(prefix = "/api", endpoint = "campaigns")]
pub async fn campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    as_role(Role::Admin, |s, _| async move { s.campaigns.list().await }).await
}

/// A campaign's report (admins).
#[server(prefix = "/api", endpoint = "campaign_report")]
pub async fn campaign_report_of(id: String) -> Result<CampaignReport, AppError> {
    as_role(Role::Admin, |s, _| async move { s.campaigns.report(&id).await }).await
}

/// The caller's personal offers (shoppers).
#[server(prefix = "/api", endpoint = "my_offers")]
pub async fn my_offers() -> Result<Vec<MyOffer>, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.campaigns.my_offers(&user).await }).await
}

/// Activates the caller's offer of a campaign (shoppers); a second time answers the first.
#[server(prefix = "/api", endpoint = "activate_offer")]
pub async fn activate_offer(campaign_id: String) -> Result<MyOffer, AppError> {
    as_role(Role::Shopper, |s, user| async move { s.campaigns.activate(&user, &campaign_id).await }).await
}
