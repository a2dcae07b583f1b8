//! Imports started from the admin page run in the background; the page polls their progress.
//! The batch itself is recorded by the pipeline like any other. Imports run one at a time (the
//! rest wait, shown as queued): a burst of uploads cannot multiply the load on the store. The
//! list of jobs forgets finished ones after an hour and never holds more than [`MAX_JOBS`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::error::AppError;
use app::model::import::{BatchRow, ImportJobView};
use app::ports::Imports;
use async_trait::async_trait;

use super::pipeline::{import_file, ImportOptions, ImportSummary};
use crate::analytics::Projection;
use crate::store::model::ImportBatch;
use crate::store::{Store, StoreExt};

struct Job {
    file_name: String,
    rows_read: Arc<AtomicU64>,
    queued: Arc<std::sync::atomic::AtomicBool>,
    summary: Option<ImportSummary>,
    error: Option<String>,
    finished: Option<Instant>,
}

/// Jobs remembered at most; finished jobs are forgotten after [`JOB_MEMORY`].
pub const MAX_JOBS: usize = 1000;
/// How long a finished job's outcome stays available to the page.
pub const JOB_MEMORY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Running and finished upload imports, plus batch listing.
pub struct ImportService {
    store: Arc<dyn Store>,
    projection: Arc<Projection>,
    jobs: Mutex<HashMap<String, Job>>,
    /// One import at a time.
    running: tokio::sync::Mutex<()>,
}

fn batch_row(b: ImportBatch) -> BatchRow {
    BatchRow {
        id: b.id,
        kind: b.kind,
        file_name: b.file_name,
        status: format!("{:?}", b.status).to_lowercase(),
        rows_read: b.rows_read,
        inserted: b.inserted,
        updated: b.updated,
        unchanged: b.unchanged,
        rejected: b.rejected,
        started_at: b.started_at,
        finished_at: b.finished_at,
        run_by: b.run_by,
    }
}

impl ImportService {
    /// A service over `store`, refreshing the `projection` after each import.
    pub fn new(store: Arc<dyn Store>, projection: Arc<Projection>) -> Self {
        ImportService { store, projection, jobs: Mutex::new(HashMap::new()), running: tokio::sync::Mutex::new(()) }
    }

    /// Starts importing the uploaded file at `path` in the background; returns the job id. The
    /// file (and its upload directory) is removed when the import ends.
    pub fn start(self: &Arc<Self>, file: super::UploadedFile, file_name: String, options: ImportOptions) -> String {
        let path: PathBuf = file.0.clone();
        let job_id = uuid::Uuid::new_v4().to_string();
        let rows_read = Arc::new(AtomicU64::new(0));
        let queued = Arc::new(std::sync::atomic::AtomicBool::new(true));
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            prune_jobs(&mut jobs, Instant::now());
            let job = Job {
                file_name,
                rows_read: rows_read.clone(),
                queued: queued.clone(),
                summary: None,
                error: None,
                finished: None,
            };
            jobs.insert(job_id.clone(), job);
        }
        let (service, id) = (self.clone(), job_id.clone());
        tokio::spawn(async move {
            // The upload's file goes on every path out of this task, even a panic.
            let _file = file;
            let result = {
                let _one_at_a_time = service.running.lock().await;
                queued.store(false, Ordering::Release);
                let progress = move |n: u64| rows_read.store(n, Ordering::Relaxed);
                let result = import_file(service.store.as_ref(), &path, &options, &progress).await;
                if let Err(e) = service.projection.refresh_if_changed(service.store.as_ref()).await {
                    tracing::warn!(error = %e, "projection refresh after import failed");
                }
                result
            };
            let mut jobs = service.jobs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(job) = jobs.get_mut(&id) {
                job.finished = Some(Instant::now());
                match result {
                    Ok(summary) => job.summary = Some(summary),
                    Err(e) => job.error = Some(e.to_string()),
                }
            }
        });
        job_id
    }
}

/// Forgets finished jobs older than [`JOB_MEMORY`], then the oldest finished ones beyond
/// [`MAX_JOBS`].
fn prune_jobs(jobs: &mut HashMap<String, Job>, now: Instant) {
    jobs.retain(|_, j| j.finished.is_none_or(|f| now.duration_since(f) < JOB_MEMORY));
    while jobs.len() >= MAX_JOBS {
        let oldest = jobs.iter().filter_map(|(id, j)| j.finished.map(|f| (f, id.clone()))).min();
        match oldest {
            Some((_, id)) => {
                jobs.remove(&id);
            }
            None => break,
        }
    }
}

#[async_trait]
impl Imports for ImportService {
    async fn job(&self, job_id: &str) -> Result<ImportJobView, AppError> {
        let (view, batch_id) = {
            let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            let job = jobs.get(job_id).ok_or(AppError::NotFound)?;
            let done = job.summary.is_some() || job.error.is_some();
            let failure = job.error.clone().or_else(|| job.summary.as_ref().and_then(|s| s.failure.clone()));
            let view = ImportJobView {
                job_id: job_id.to_string(),
                queued: job.queued.load(Ordering::Acquire),
                file_name: job.file_name.clone(),
                rows_read: job.summary.as_ref().map_or(job.rows_read.load(Ordering::Relaxed), |s| s.rows_read),
                done,
                batch: None,
                failure,
            };
            (view, job.summary.as_ref().map(|s| s.batch_id.clone()))
        };
        let batch = match batch_id {
            Some(id) => self.store.get_one::<ImportBatch>(&id).await?.map(batch_row),
            None => None,
        };
        Ok(ImportJobView { batch, ..view })
    }

    async fn batches(&self, limit: u32) -> Result<Vec<BatchRow>, AppError> {
        let mut all: Vec<ImportBatch> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page: Vec<ImportBatch> = self.store.scan_page(after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            all.extend(page);
        }
        all.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        Ok(all.into_iter().take(limit as usize).map(batch_row).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(finished: Option<Instant>) -> Job {
        Job {
            file_name: "f.csv".into(),
            rows_read: Arc::default(),
            queued: Arc::default(),
            summary: None,
            error: None,
            finished,
        }
    }

    #[test]
    fn finished_jobs_are_forgotten_after_an_hour_and_beyond_the_cap() {
        let now = Instant::now();
        let mut jobs = HashMap::new();
        jobs.insert("running".to_string(), job(None));
        jobs.insert("old".to_string(), job(now.checked_sub(JOB_MEMORY + std::time::Duration::from_secs(1))));
        jobs.insert("recent".to_string(), job(Some(now)));
        prune_jobs(&mut jobs, now);
        let mut left: Vec<&String> = jobs.keys().collect();
        left.sort();
        assert_eq!(left, ["recent", "running"]);
        for i in 0..MAX_JOBS + 10 {
            jobs.insert(format!("done{i}"), job(Some(now)));
        }
        prune_jobs(&mut jobs, now);
        assert!(jobs.len() < MAX_JOBS && jobs.contains_key("running"), "{}", jobs.len());
    }
}
