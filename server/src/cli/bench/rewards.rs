//! `imagross bench rewards`: redemptions and receipts with vouchers, mixed, against an
//! in-process server on a loopback port with the embedded store (the default demo set). 100
//! shoppers (the cards with the most receipts, each given 1,000 extra points) redeem a 100-point
//! voucher at a combined target rate (default 200/s) over keep-alive HTTP, far more than their
//! balances allow; 16 tills send receipts (default 500/s) carrying the vouchers as they are
//! issued, and one receipt in 50 deliberately reuses a voucher another receipt used. Prints
//! throughput and latency percentiles per operation, then checks the store: no double spend
//! (each card's vouchers are paid by exactly its `redeem:` entries), no negative balance, every
//! voucher used by at most one receipt, every ledger total equal to the card's balance.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::loadgen::{self, Conn};
use super::percentile;
use crate::http::router;
use crate::store::model::{AccountStatus, PointsEntry, Reward, Role, UserAccount, Voucher};
use crate::store::{self, DatabaseUrl, StoreExt};

const SHOPPERS: usize = 100;
const COST: i64 = 100;

/// Runs the benchmark.
pub async fn run(
    source: &super::BenchStore,
    redemptions_per_sec: u32,
    receipts_per_sec: u32,
    seconds: u64,
    build: crate::cli::BuildState,
) -> anyhow::Result<()> {
    let (path, _cleanup) = super::analytics::bench_store(source).await?;
    let store = store::open(&DatabaseUrl::Sqlite(path.clone())).await?;
    let state = super::bench_state(store.clone(), build)?;
    state.projection.refresh(store.as_ref()).await?;
    let snap = state.projection.snapshot().ok_or_else(|| anyhow::anyhow!("no projection"))?;
    let mut by_receipts: Vec<(usize, u32)> = (0..snap.data.cards.len() as u32)
        .filter(|c| snap.data.cards.registered[*c as usize])
        .map(|c| (snap.data.receipts_of(c).len(), c))
        .collect();
    by_receipts.sort_unstable_by(|a, b| b.cmp(a));
    let cards: Vec<String> =
        by_receipts.iter().take(SHOPPERS).map(|(_, c)| snap.data.cards.number.value(*c).to_string()).collect();
    let till_cards: Vec<String> =
        by_receipts.iter().take(20_000).map(|(_, c)| snap.data.cards.number.value(*c).to_string()).collect();
    drop(snap);
    let now = crate::clock::now_rfc3339();
    store
        .insert_one(&Reward {
            id: "bench-voucher".into(),
            kind: "voucher".into(),
            title_it: "Buono 1 €".into(),
            title_en: "1 € voucher".into(),
            description_it: String::new(),
            description_en: String::new(),
            points: COST,
            value_cents: Some(100),
            ean: None,
            cause: None,
            stock: None,
            issued: 0,
            valid_from: None,
            valid_to: None,
            min_level: "bronze".into(),
            monthly_limit: None,
            status: "active".into(),
            version: 0,
            created_at: now.clone(),
            updated_at: now.clone(),
        })
        .await?;
    let mut cookies = Vec::new();
    for card in &cards {
        store
            .upsert_all(&[PointsEntry {
                id: format!("adjust:bench:{card}"),
                card_number: card.clone(),
                points: 1_000,
                kind: "adjustment".into(),
                reason: Some("bench".into()),
                receipt_id: None,
                created_at: now.clone(),
                created_by: None,
            }])
            .await?;
        let account = UserAccount {
            id: uuid::Uuid::new_v4().to_string(),
            email: None,
            phone: None,
            card_number: Some(card.clone()),
            first_name: "Bench".into(),
            last_name: "Rewards".into(),
            password_hash: "!bench: no password login".into(),
            role: Role::Shopper,
            status: AccountStatus::Active,
            created_at: now.clone(),
            sessions_after: None,
        };
        store.insert_one(&account).await?;
        let (_, set) = app::ports::Sessions::open_session(state.auth.as_ref(), &account.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        cookies.push(
            set.iter().map(|c| c.split(';').next().unwrap_or_default().to_string()).collect::<Vec<_>>().join("; "),
        );
    }
    let mut balances_before = Vec::new();
    for card in &cards {
        balances_before.push(store.points_totals(card, "9999").await?.0);
    }
    println!(
        "store ready: {} shoppers holding {} points in all (the ledger sync may still be adding some)",
        cards.len(),
        balances_before.iter().sum::<i64>()
    );
    super::checkpoint(&path)?;
    let mut keys = Vec::new();
    for t in 0..16 {
        let (_, key) = crate::till_api::keys::create(store.as_ref(), &format!("RWD{t:02}"), None, "bench").await?;
        keys.push(key);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let issued: Arc<Mutex<VecDeque<String>>> = Arc::default();
    let used: Arc<Mutex<Vec<String>>> = Arc::default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    // Redemptions: each shopper on a fixed schedule, together at the target rate.
    let mut shoppers = Vec::new();
    let every = Duration::from_secs_f64(cookies.len() as f64 / f64::from(redemptions_per_sec.max(1)));
    for (n, cookie) in cookies.into_iter().enumerate() {
        let issued = issued.clone();
        shoppers.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let mut samples = Vec::new();
            let (mut ok, mut refused, mut failed) = (0u64, 0u64, 0u64);
            let mut next = started + every.mul_f64(n as f64 / 100.0);
            while next < deadline {
                tokio::time::sleep_until(next.into()).await;
                next += every;
                let t = Instant::now();
                match conn.form("/api/redeem", &cookie, b"reward_id=bench-voucher").await {
                    Ok((200, body)) => {
                        samples.push(t.elapsed());
                        ok += 1;
                        if let Some(code) = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v["code"].as_str().map(str::to_string))
                        {
                            issued.lock().unwrap_or_else(|e| e.into_inner()).push_back(code);
                        }
                    }
                    Ok((400, _)) => {
                        samples.push(t.elapsed());
                        refused += 1;
                    }
                    _ => failed += 1,
                }
            }
            (samples, ok, refused, failed)
        }));
    }
    // Tills: receipts, with the next issued voucher when there is one.
    let mut tills = Vec::new();
    let till_every = Duration::from_secs_f64(keys.len() as f64 / f64::from(receipts_per_sec.max(1)));
    let till_cards = Arc::new(till_cards);
    let day = crate::clock::today_date().iso();
    for (t, key) in keys.into_iter().enumerate() {
        let (issued, used, till_cards, day) = (issued.clone(), used.clone(), till_cards.clone(), day.clone());
        tills.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let mut samples = Vec::new();
            let (mut stored, mut with_voucher, mut reuse_refused, mut reuse_accepted, mut failed) =
                (0u64, 0u64, 0u64, 0u64, 0u64);
            let mut next = started + till_every.mul_f64(t as f64 / 16.0);
            let mut n = 0u64;
            while next < deadline {
                tokio::time::sleep_until(next.into()).await;
                next += till_every;
                n += 1;
                let (mut body, _) = loadgen::receipt(&format!("RWD{t:02}"), t as u32, n, &day, &till_cards, 2);
                let reuse = n.is_multiple_of(50);
                let voucher = if reuse {
                    used.lock().unwrap_or_else(|e| e.into_inner()).last().cloned()
                } else {
                    issued.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
                };
                if let Some(code) = &voucher {
                    body["voucher_codes"] = json!([code]);
                }
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                let t0 = Instant::now();
                match conn.request("POST", "/api/v1/receipts", &key, &bytes).await {
                    Ok((201, _)) => {
                        samples.push(t0.elapsed());
                        stored += 1;
                        match (&voucher, reuse) {
                            (Some(_), true) => reuse_accepted += 1,
                            (Some(code), false) => {
                                with_voucher += 1;
                                used.lock().unwrap_or_else(|e| e.into_inner()).push(code.clone());
                            }
                            _ => {}
                        }
                    }
                    Ok((409, _)) if reuse && voucher.is_some() => {
                        samples.push(t0.elapsed());
                        reuse_refused += 1;
                    }
                    _ => failed += 1,
                }
            }
            (samples, stored, with_voucher, reuse_refused, reuse_accepted, failed)
        }));
    }
    let (mut redeem_samples, mut redeemed, mut refused, mut redeem_failed) = (Vec::new(), 0, 0, 0);
    for s in shoppers {
        let (samples, ok, no, failed) = s.await?;
        redeem_samples.extend(samples);
        redeemed += ok;
        refused += no;
        redeem_failed += failed;
    }
    let mut receipt_samples = Vec::new();
    let (mut stored, mut with_voucher, mut reuse_refused, mut reuse_accepted, mut till_failed) = (0, 0, 0, 0, 0);
    for t in tills {
        let (samples, s, w, rr, ra, f) = t.await?;
        receipt_samples.extend(samples);
        stored += s;
        with_voucher += w;
        reuse_refused += rr;
        reuse_accepted += ra;
        till_failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    server.abort();
    redeem_samples.sort();
    receipt_samples.sort();
    println!(
        "redemptions: {redeemed} vouchers + {refused} refused (not enough points), {redeem_failed} errors in {secs:.1} s = {:.0}/s; p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        (redeemed + refused) as f64 / secs,
        percentile(&redeem_samples, 0.5),
        percentile(&redeem_samples, 0.95),
        percentile(&redeem_samples, 0.99)
    );
    println!(
        "receipts:    {stored} stored ({with_voucher} with a voucher), {reuse_refused} reuses refused 409, {reuse_accepted} reuses accepted, {till_failed} errors = {:.0}/s; p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        (stored + reuse_refused) as f64 / secs,
        percentile(&receipt_samples, 0.5),
        percentile(&receipt_samples, 0.95),
        percentile(&receipt_samples, 0.99)
    );

    // The checks.
    let (mut double_spends, mut negative, mut ledger_mismatch, mut vouchers_total, mut used_total) = (0, 0, 0, 0, 0);
    // Every shopper kept trying to the end, so each spent exactly what their points allowed.
    let mut not_exhausted = 0;
    for card in &cards {
        let ledger: Vec<PointsEntry> = store.find("card_number", json!(card), 1_000_000).await?;
        let (balance, _) = store.points_totals(card, "9999").await?;
        if ledger.iter().map(|e| e.points).sum::<i64>() != balance {
            ledger_mismatch += 1;
        }
        if balance < 0 {
            negative += 1;
        }
        let vouchers: Vec<Voucher> = store.find("card_number", json!(card), 1_000_000).await?;
        let live =
            vouchers.iter().filter(|v| !matches!(v.status.as_str(), "void" | "pending" | "cancelled")).count() as i64;
        let paid = -ledger.iter().filter(|e| e.id.starts_with("redeem:")).map(|e| e.points).sum::<i64>();
        if live * COST != paid {
            double_spends += 1;
        }
        let earned: i64 = ledger.iter().filter(|e| !e.id.starts_with("redeem:")).map(|e| e.points).sum();
        if live != earned / COST {
            not_exhausted += 1;
        }
        vouchers_total += live;
        used_total += vouchers.iter().filter(|v| v.status == "used").count() as i64;
    }
    let used_codes = used.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut distinct = used_codes.clone();
    distinct.sort();
    distinct.dedup();
    println!(
        "checks: {vouchers_total} vouchers, {used_total} used; cards whose vouchers ≠ their points ÷ {COST}: {not_exhausted}; double spends {double_spends}, negative balances {negative}, ledger ≠ balance {ledger_mismatch}, vouchers used twice {}",
        used_codes.len() - distinct.len() + reuse_accepted as usize
    );
    Ok(())
}
