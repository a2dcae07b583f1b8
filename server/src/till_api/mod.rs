//! The tills' REST API, `/api/v1` (JSON): receipts pushed as they happen, authenticated by a
//! per-store key. Errors are RFC 9457 problem details; the OpenAPI 3.1 document is generated
//! from these handlers and types and served at `/api/v1/openapi.json`.

pub mod admin_keys;
pub mod keys;
pub mod problem;
pub mod service;
pub mod wire;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::store::model::ShopKey;
use problem::Problem;
use service::ReceiptsApi;
use wire::{FieldError, ReceiptAck, ReceiptIn, ReceiptOut};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "ImaGross Loyalty — till API", version = "1.0.0", description = "Receipts pushed by the stores' tills as they happen. Every request carries its store's API key as `Authorization: Bearer <key>`. Submissions are idempotent by receipt key (store, date, till, number)."),
    paths(post_receipt, get_receipt, get_voucher, get_card_offers),
    components(schemas(ReceiptIn, wire::LineIn, ReceiptAck, ReceiptOut, wire::LineOut, wire::VoucherOut, wire::OfferOut, FieldError, Problem)),
    modifiers(&BearerKey),
    security(("store_key" = []))
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "store_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("igk_ + 64 hex digits")
                    .description(Some("A store's API key"))
                    .build(),
            ),
        );
    }
}

/// Where the API is mounted.
pub const BASE: &str = "/api/v1";

/// The API routes, relative to [`BASE`].
pub fn router<S: Clone + Send + Sync + 'static>(api: ReceiptsApi) -> Router<S> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/receipts", post(post_receipt))
        .route("/receipts/{id}", get(get_receipt))
        .route("/vouchers/{code}", get(get_voucher))
        .route("/cards/{card}/offers", get(get_card_offers))
        .fallback(|| async { Problem::not_found("no such API endpoint") })
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            Problem::internal("a request handler panicked").into_response()
        }))
        .with_state(api)
}

async fn openapi() -> Response {
    let mut r = Json(ApiDoc::openapi()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// The active key named by `Authorization: Bearer …`.
async fn authenticate(api: &ReceiptsApi, headers: &HeaderMap) -> Result<ShopKey, Problem> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Problem::unauthorized("send the store's API key as `Authorization: Bearer <key>`"))?;
    let key = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .ok_or_else(|| Problem::unauthorized("expected `Authorization: Bearer <key>`"))?;
    keys::verify(api.store.as_ref(), key)
        .await
        .map_err(Problem::internal)?
        .ok_or_else(|| Problem::unauthorized("the API key is not valid or was revoked"))
}

/// Reads and decodes the JSON body: 415 without a JSON content type, 413 above the limit, 400
/// for JSON that cannot be read, 422 naming the field for wrong, missing or unknown fields.
async fn json_body(headers: &HeaderMap, body: Body) -> Result<ReceiptIn, Problem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Expected JSON",
            "send the receipt as `Content-Type: application/json`",
        ));
    }
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("a receipt must be at most {BODY_LIMIT} bytes"),
        )
    };
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| too_large())?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let parsed: Result<ReceiptIn, _> = serde_path_to_error::deserialize(&mut de);
    if parsed.is_ok() {
        de.end().map_err(|e| {
            Problem::invalid(StatusCode::BAD_REQUEST, vec![FieldError { field: "body".into(), message: e.to_string() }])
        })?;
    }
    parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        let (status, field) = match inner.classify() {
            serde_json::error::Category::Data => {
                (StatusCode::UNPROCESSABLE_ENTITY, if path == "." { String::new() } else { path })
            }
            _ => (StatusCode::BAD_REQUEST, String::new()),
        };
        let field = if field.is_empty() { "body".to_string() } else { field };
        Problem::invalid(status, vec![FieldError { field, message }])
    })
}

/// Sends one receipt.
#[utoipa::path(
    post,
    path = "/api/v1/receipts",
    request_body(content = ReceiptIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored; points credited", body = ReceiptAck, headers(("Location" = String, description = "The receipt's URL"))),
        (status = 200, description = "Already received with the same content: the original result", body = ReceiptAck),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The receipt is of another store than the key's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The receipt key was already used with different content, or a voucher (`voucher_codes[i]`) was used with another receipt", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than 256 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid receipt: every field at fault is named (including a card that was never issued, a total above the per-receipt maximum, or an unknown, expired or cancelled voucher, named as `voucher_codes[i]`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many receipts from this key in the last minute", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds to wait"))),
        (status = 500, description = "Internal error (retry)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn post_receipt(State(api): State<ReceiptsApi>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let result = async {
        let key = authenticate(&api, &parts.headers).await?;
        let receipt = json_body(&parts.headers, body).await?;
        api.submit(&key, &receipt).await
    }
    .await;
    match result {
        Ok(done) => {
            let status = if done.replayed { StatusCode::OK } else { StatusCode::CREATED };
            let location = format!("/api/v1/receipts/{}", done.ack.id);
            let mut r = (status, Json(done.ack)).into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Err(p) => p.into_response(),
    }
}

/// A receipt this store sent, with its lines.
#[utoipa::path(
    get,
    path = "/api/v1/receipts/{id}",
    params(("id" = String, Path, description = "The receipt key returned when it was sent")),
    responses(
        (status = 200, description = "The receipt", body = ReceiptOut),
        (status = 401, description = "Missing, unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such receipt from this store", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error (retry)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_receipt(State(api): State<ReceiptsApi>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let result = async {
        let key = authenticate(&api, &headers).await?;
        api.get(&key, &id).await
    }
    .await;
    match result {
        Ok(r) => Json(r).into_response(),
        Err(p) => p.into_response(),
    }
}

/// A voucher, checked by the till before payment (any store's key).
#[utoipa::path(
    get,
    path = "/api/v1/vouchers/{code}",
    params(("code" = String, Path, description = "The voucher's EAN-13 code, as scanned")),
    responses(
        (status = 200, description = "The voucher: use it only when `status` is `active`", body = wire::VoucherOut),
        (status = 401, description = "Missing, unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such voucher", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error (retry)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_voucher(State(api): State<ReceiptsApi>, Path(code): Path<String>, headers: HeaderMap) -> Response {
    let result = async {
        authenticate(&api, &headers).await?;
        api.voucher(&code).await
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

/// The personal offers a card's holder activated, running today, that the till applies at
/// payment (any store's key).
#[utoipa::path(
    get,
    path = "/api/v1/cards/{card}/offers",
    params(("card" = String, Path, description = "The card number, as scanned")),
    responses(
        (status = 200, description = "The activated offers (empty when none)", body = Vec<wire::OfferOut>),
        (status = 401, description = "Missing, unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such card", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error (retry)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_card_offers(State(api): State<ReceiptsApi>, Path(card): Path<String>, headers: HeaderMap) -> Response {
    let result = async {
        authenticate(&api, &headers).await?;
        api.offers(&card).await
    }
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}
