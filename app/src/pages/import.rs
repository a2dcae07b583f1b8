//! `/admin/import`: upload a file (a plain multipart form, streamed to disk by the server),
//! follow the import's progress, read its summary and download its rejected rows; below, every
//! recorded batch.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::admin_gate::AdminGate;
use crate::i18n::{use_i18n, Key};
use crate::model::import::{BatchRow, ImportJobView};
use crate::server_fns::admin::{import_batches, import_job};

/// The admin import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <AdminGate><ImportAdmin/></AdminGate> }
}

#[component]
fn ImportAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tick = RwSignal::new(0_u32);
    let job = Resource::new(
        move || (query.with(|q| q.get("job")), tick.get()),
        |(id, _)| async move {
            match id {
                Some(id) => import_job(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // The batch list is fetched once per render; the browser re-reads it when a job it watched
    // running has finished (keyed on a counter, so server render and hydration agree).
    let batches_version = RwSignal::new(0_u32);
    let batches = Resource::new(move || batches_version.get(), |_| import_batches());
    // In the browser: poll until the job is done.
    let saw_running = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(Ok(Some(j))) = job.get() {
            if !j.done {
                saw_running.set_value(true);
                set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(700));
            } else if saw_running.get_value() {
                saw_running.set_value(false);
                batches_version.update(|v| *v += 1);
            }
        }
    });
    let upload_error = move || query.with(|q| q.get("error"));

    view! {
        <section class="page import-page">
            <h1>{move || i18n.t(Key::PageImport)}</h1>
            <p>{move || i18n.t(Key::ImportIntro)}</p>
            <p class="form-error" role="alert" data-testid="upload-error">{upload_error}</p>
            <form method="post" action="/admin/import/upload" enctype="multipart/form-data" class="upload-form">
                <div class="form-grid">
                    <div class="field">
                        <label for="import-kind">{move || i18n.t(Key::ImportKind)}</label>
                        <select id="import-kind" name="kind">
                            <option value="">{move || i18n.t(Key::ImportKindAuto)}</option>
                            <option value="fidelity">"Fidelity"</option>
                            <option value="scontrini">"Scontrini"</option>
                            <option value="vendite">"Vendite"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="import-file">{move || i18n.t(Key::ImportFile)}</label>
                        <input id="import-file" name="file" type="file" accept=".csv,.txt,.tsv,.json,.ndjson,.jsonl,.xlsx" required/>
                    </div>
                </div>
                <button type="submit" class="button primary">{move || i18n.t(Key::ImportSubmit)}</button>
            </form>
            <Transition fallback=|| ()>
                {move || job.get().and_then(Result::ok).flatten().map(|j| view! { <JobPanel job=j/> })}
            </Transition>
            <h2>{move || i18n.t(Key::ImportBatches)}</h2>
            <Transition fallback=|| ()>
                {move || batches.get().map(|r| match r {
                    Ok(rows) if rows.is_empty() => view! { <p>{move || i18n.t(Key::ImportNoBatches)}</p> }.into_any(),
                    Ok(rows) => view! { <BatchTable rows/> }.into_any(),
                    Err(_) => view! { <p class="form-error">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Progress, then the summary, of one upload.
#[component]
fn JobPanel(
    /// The job.
    job: ImportJobView,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = if job.queued {
        Key::ImportQueued
    } else if !job.done {
        Key::ImportRunning
    } else if job.failure.is_some() {
        Key::ImportFailed
    } else {
        Key::ImportDone
    };
    let failure = job.failure.clone();
    let batch = job.batch.clone();
    view! {
        <div class="card job" role="status" data-testid="import-job" data-done=job.done.to_string()>
            <h2>{move || i18n.t(title)} ": " {job.file_name.clone()}</h2>
            <p>{move || i18n.t(Key::ImportRowsRead)} ": " <strong data-testid="job-rows">{job.rows_read}</strong></p>
            {failure.map(|f| view! { <p class="form-error" data-testid="job-failure">{f}</p> })}
            {batch.map(|b| {
                let report = (b.rejected > 0).then(|| format!("/admin/import/{}/errors.csv", b.id));
                view! {
                    <dl class="estimate">
                        <dt>{move || i18n.t(Key::ImportInserted)}</dt><dd data-testid="job-inserted">{b.inserted}</dd>
                        <dt>{move || i18n.t(Key::ImportUpdated)}</dt><dd data-testid="job-updated">{b.updated}</dd>
                        <dt>{move || i18n.t(Key::ImportUnchanged)}</dt><dd data-testid="job-unchanged">{b.unchanged}</dd>
                        <dt>{move || i18n.t(Key::ImportRejected)}</dt><dd data-testid="job-rejected">{b.rejected}</dd>
                    </dl>
                    {report.map(|href| view! { <p><a href=href data-testid="error-report" download="">{move || i18n.t(Key::ImportErrorReport)}</a></p> })}
                }
            })}
        </div>
    }
}

/// The recorded batches.
#[component]
fn BatchTable(
    /// Newest first.
    rows: Vec<BatchRow>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="data-table" data-testid="batches-table">
                <thead><tr>
                    <th scope="col">{move || i18n.t(Key::ImportStarted)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportKind)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportFile)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportStatus)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportRowsRead)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportInserted)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportUpdated)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportUnchanged)}</th>
                    <th scope="col">{move || i18n.t(Key::ImportRejected)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|b| view! {
                        <tr>
                            <td>{b.started_at.replace('T', " ").trim_end_matches('Z').to_string()}</td>
                            <td>{b.kind}</td>
                            <td>{b.file_name}</td>
                            <td data-status=b.status.clone()>{let s = b.status.clone(); move || batch_status(i18n, &s)}</td>
                            <td>{b.rows_read}</td>
                            <td>{b.inserted}</td>
                            <td>{b.updated}</td>
                            <td>{b.unchanged}</td>
                            <td>{b.rejected}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A batch's status in the reader's language (the stored name when unknown).
fn batch_status(i18n: crate::i18n::I18n, status: &str) -> String {
    match status {
        "running" => i18n.t(Key::BatchRunning).to_string(),
        "completed" => i18n.t(Key::BatchCompleted).to_string(),
        "failed" => i18n.t(Key::BatchFailed).to_string(),
        "interrupted" => i18n.t(Key::BatchInterrupted).to_string(),
        other => other.to_string(),
    }
}
