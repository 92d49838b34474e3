//! The shared state of one collection run: the clients, the concurrency bound,
//! the run deadline, and the call wrapper every read goes through.

use super::error::{SdkError, classify, deadline};
use super::iam::PolicyHead;
use super::ops::{OpLog, Operation};
use super::timing::{Span, current_area, in_area, tally};
use crate::timing::Timings;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use studio_doctor_checks::facts::Caller;
use studio_doctor_checks::{Area, Fact, Unknown, UnknownKind};
use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Calls in flight at once to one service in the tests (the CLI's default too).
#[cfg(test)]
pub const MAX_IN_FLIGHT: usize = 8;

/// One client per service, each with the operation recorder installed.
#[derive(Clone, Debug)]
pub struct Clients {
    pub sts: aws_sdk_sts::Client,
    pub emr: aws_sdk_emr::Client,
    pub athena: aws_sdk_athena::Client,
    pub sso: aws_sdk_ssoadmin::Client,
    pub ids: aws_sdk_identitystore::Client,
    pub iam: aws_sdk_iam::Client,
    pub s3c: aws_sdk_s3control::Client,
    pub lf: aws_sdk_lakeformation::Client,
    pub glue: aws_sdk_glue::Client,
    pub org: aws_sdk_organizations::Client,
    pub s3: aws_sdk_s3::Client,
}

/// Appended to a denied Identity Center read in the target account.
pub const IDENTITY_CENTER_HINT: &str = " (an organization can deny member accounts' Identity Center reads: \
     read Identity Center from the management or delegated administrator account with \
     --identity-center-profile or --identity-center-role-arn)";

pub type Shared<T> = Arc<OnceCell<T>>;

/// Reads shared by key (an ARN), each done once per run.
pub type Cache<T> = Mutex<HashMap<String, Shared<Result<T, Unknown>>>>;

pub struct Run {
    pub c: Clients,
    pub log: OpLog,
    per_service: usize,
    deadline: Instant,
    limit: Duration,
    /// Managed policy documents by ARN, so each is read once per run.
    pub policies: Cache<Value>,
    /// `iam:GetPolicy` answers by ARN (`None`: no such policy), read once per run.
    pub policy_heads: Cache<Option<PolicyHead>>,
    /// `sts:GetCallerIdentity`, read once however many readers need the account.
    pub caller: OnceCell<Fact<Caller>>,
    /// Each call's time in flight, for the area it was sent for.
    spans: Mutex<Vec<Span>>,
    /// A `--studio` or `--workgroup` that named nothing in the region: (flag,
    /// name, the names that exist).
    pub unmatched: Mutex<Option<(&'static str, String, Vec<String>)>>,
    /// Identity Center is read with the target's own credentials: a denied
    /// Identity Center read then says how to read it from another account.
    pub identity_center_here: AtomicBool,
    /// Identity Center read from another account: its reads, shared with the
    /// other targets of the run (see [`Run::idc_once`]).
    pub shared_idc: std::sync::OnceLock<Arc<IdcShared>>,
}

/// Identity Center reads shared by every target that reads Identity Center
/// from the same account: each read (by region and key) is made once per run.
#[derive(Default)]
pub struct IdcShared(Mutex<HashMap<String, Shared<Arc<dyn Any + Send + Sync>>>>);

impl Run {
    /// The run's deadline is `started + limit`.
    #[cfg(test)]
    pub fn new(c: Clients, log: OpLog, started: Instant, limit: Duration) -> Arc<Run> {
        Run::with_concurrency(c, log, started, limit, MAX_IN_FLIGHT)
    }

    /// [`Run::new`] with `per_service` calls in flight to each service at most.
    pub fn with_concurrency(
        c: Clients,
        log: OpLog,
        started: Instant,
        limit: Duration,
        per_service: usize,
    ) -> Arc<Run> {
        Arc::new(Run {
            c,
            log,
            per_service: per_service.max(1),
            deadline: started + limit,
            limit,
            policies: Mutex::new(HashMap::new()),
            policy_heads: Mutex::new(HashMap::new()),
            caller: OnceCell::new(),
            spans: Mutex::new(Vec::new()),
            unmatched: Mutex::new(None),
            identity_center_here: AtomicBool::new(true),
            shared_idc: std::sync::OnceLock::new(),
        })
    }

    /// `read`, or its answer when another target of the run made the same
    /// Identity Center read (`key`, in this run's region) from the same account.
    pub async fn idc_once<T, F>(&self, key: String, read: F) -> T
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = T>,
    {
        let Some(shared) = self.shared_idc.get() else {
            return read.await;
        };
        let region = self.c.sso.config().region().map(|r| r.to_string());
        let key = format!("{region:?} {} {key}", std::any::type_name::<T>());
        let cell = shared
            .0
            .lock()
            .ok()
            .map(|mut map| map.entry(key).or_default().clone());
        let Some(cell) = cell else {
            return read.await;
        };
        let mut pending = Some(read);
        let value = cell
            .get_or_init(|| {
                let read = pending.take();
                async move {
                    match read {
                        Some(r) => Arc::new(r.await) as Arc<dyn Any + Send + Sync>,
                        None => Arc::new(()),
                    }
                }
            })
            .await
            .clone();
        match (value.downcast_ref::<T>(), pending) {
            (Some(v), _) => v.clone(),
            (None, Some(read)) => read.await,
            // The key names T, and the read that filled it was ours: a T.
            (None, None) => unreachable!("an Identity Center cache entry of another type"),
        }
    }

    /// An SDK error as the reason of an `Unknown` fact.
    fn unknown<E>(&self, e: &SdkError<E>, action: &str) -> Unknown
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        let mut u = classify(e, action);
        let identity_center = action.starts_with("sso:") || action.starts_with("identitystore:");
        if identity_center
            && u.kind == UnknownKind::AccessDenied
            && self.identity_center_here.load(Ordering::Relaxed)
        {
            u.message.push_str(IDENTITY_CENTER_HINT);
        }
        u
    }

    /// Send one call (or a whole paginated listing) under the concurrency bound
    /// and the run deadline. Errors become `Unknown` naming `op`'s IAM action.
    pub async fn call<T, E>(
        &self,
        op: &Operation,
        fut: impl Future<Output = Result<T, SdkError<E>>>,
    ) -> Result<T, Unknown>
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        self.send(op, fut)
            .await?
            .map_err(|e| self.unknown(&e, op.action))
    }

    /// Like [`Run::call`], but an error for which `missing` is true is the fact
    /// "there is none": `Ok(None)`.
    pub async fn call_or_missing<T, E>(
        &self,
        op: &Operation,
        fut: impl Future<Output = Result<T, SdkError<E>>>,
        missing: impl Fn(&SdkError<E>) -> bool,
    ) -> Result<Option<T>, Unknown>
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        match self.send(op, fut).await? {
            Ok(v) => Ok(Some(v)),
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(self.unknown(&e, op.action)),
        }
    }

    /// The bounded pool of `service`'s calls.
    /// One bounded pool per service (kept with the log, whose recorder cuts it
    /// when the service throttles), so a slow or throttling service does not hold
    /// the slots of the others.
    fn pool(&self, service: &'static str) -> Arc<Pool> {
        self.log.pool(service, self.per_service)
    }

    /// The outer error is the run deadline; the inner result is the SDK's.
    /// The call counts for the current task's area (STS for none), from the
    /// moment it holds a slot until it ends or is cut off.
    pub async fn send<T, E>(
        &self,
        op: &Operation,
        fut: impl Future<Output = Result<T, SdkError<E>>>,
    ) -> Result<Result<T, SdkError<E>>, Unknown> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(deadline(op.action, self.limit));
        }
        let area = if op.service == "sts" {
            None
        } else {
            current_area()
        };
        let pool = self.pool(op.service);
        let guarded = async {
            let _permit = pool.slots.acquire().await;
            let _timer = area.map(|area| Timer {
                run: self,
                area,
                start: Instant::now(),
            });
            let before = self.log.throttled(op.service);
            let out = in_area(area, fut).await;
            pool.after_call(self.log.throttled(op.service) > before);
            out
        };
        tokio::time::timeout(left, guarded)
            .await
            .map_err(|_| deadline(op.action, self.limit))
    }

    /// The operations sent so far, as `service.Operation` (the tests' view).
    #[cfg(test)]
    pub fn sent(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|l| l.iter().map(|s| s.key.clone()).collect())
            .unwrap_or_default()
    }

    /// How long each area's calls were in flight, and how many requests each sent.
    /// Record that `flag` named `name`, which is not among `found`.
    pub fn not_found(&self, flag: &'static str, name: &str, found: Vec<String>) {
        if let Ok(mut slot) = self.unmatched.lock() {
            slot.get_or_insert((flag, name.to_string(), found));
        }
    }

    pub fn timings(&self) -> Timings {
        let spans = self.spans.lock().map(|s| s.clone()).unwrap_or_default();
        let sent = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        tally(&spans, sent.into_iter().map(|s| s.area))
    }
}

/// A service's pool of call slots: at most `max` in flight, halved as soon as
/// the service throttles (at most once a second), grown back by one per call that
/// met no throttling (additive increase, multiplicative decrease).
#[derive(Debug)]
pub struct Pool {
    slots: Arc<Semaphore>,
    max: usize,
    /// (slots now, when last cut).
    state: Mutex<(usize, Option<Instant>)>,
}

impl Pool {
    pub fn new(max: usize) -> Pool {
        Pool {
            slots: Arc::new(Semaphore::new(max)),
            max,
            state: Mutex::new((max, None)),
        }
    }

    /// The service throttled: halve the slots, taking them out as calls in
    /// flight give them back.
    pub fn cut(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (limit, cut) = *st;
        if limit <= 1 || cut.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return;
        }
        let drop = limit / 2;
        *st = (limit - drop, Some(Instant::now()));
        let slots = self.slots.clone();
        tokio::spawn(async move {
            if let Ok(p) = slots.acquire_many_owned(drop as u32).await {
                p.forget();
            }
        });
    }

    /// A call ended; without throttling, give one slot back (a second after a cut).
    fn after_call(&self, throttled: bool) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (limit, cut) = *st;
        let recent = cut.is_some_and(|t| t.elapsed() < Duration::from_secs(1));
        if !throttled && !recent && limit < self.max {
            *st = (limit + 1, cut);
            self.slots.add_permits(1);
        }
    }
}

/// Records a call's span when dropped: when it ends, or is cut off by the deadline.
struct Timer<'a> {
    run: &'a Run,
    area: Area,
    start: Instant,
}

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        if let Ok(mut spans) = self.run.spans.lock() {
            spans.push(Span {
                area: self.area,
                start: self.start,
                end: Instant::now(),
            });
        }
    }
}

/// `read` of each key, run concurrently as [`all`] runs them, as a map by key.
pub async fn by_key<K, V, Fut>(
    keys: impl IntoIterator<Item = K>,
    read: impl Fn(K) -> Fut,
) -> BTreeMap<K, V>
where
    K: Ord + Clone + Send + 'static,
    V: Send + 'static,
    Fut: Future<Output = V> + Send + 'static,
{
    all(keys.into_iter().map(|k| {
        let fut = read(k.clone());
        async move { (k, fut.await) }
    }))
    .await
    .into_iter()
    .collect()
}

/// Run futures concurrently as tokio tasks, each reading for the caller's area;
/// results in input order. A panic in a task is re-raised here.
pub async fn all<T, F>(futs: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let area = current_area();
    let mut set = JoinSet::new();
    let mut n = 0;
    for (i, f) in futs.into_iter().enumerate() {
        set.spawn(in_area(area, async move { (i, f.await) }));
        n += 1;
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(r) = set.join_next().await {
        match r {
            Ok((i, v)) => out[i] = Some(v),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("collector task failed: {e}"),
        }
    }
    out.into_iter().flatten().collect()
}

/// The first error of a list of results, or all the values.
pub fn collect_all<T>(results: Vec<Result<T, Unknown>>) -> Result<Vec<T>, Unknown> {
    results.into_iter().collect()
}

#[cfg(test)]
mod pool_tests {
    use super::Pool;

    #[tokio::test]
    async fn throttling_halves_the_slots_and_calls_without_it_grow_them_back() {
        let pool = Pool::new(8);
        pool.cut();
        tokio::task::yield_now().await;
        assert_eq!(pool.state.lock().unwrap().0, 4);
        assert_eq!(pool.slots.available_permits(), 4);
        // A second throttle within a second does not cut again.
        pool.cut();
        pool.after_call(true);
        assert_eq!(pool.state.lock().unwrap().0, 4);
        // Growth waits a second after the cut.
        pool.after_call(false);
        assert_eq!(pool.state.lock().unwrap().0, 4);
        pool.state.lock().unwrap().1 = None;
        for _ in 0..10 {
            pool.after_call(false);
        }
        assert_eq!(pool.state.lock().unwrap().0, 8, "never above the maximum");
        assert_eq!(pool.slots.available_permits(), 8);
    }
}
