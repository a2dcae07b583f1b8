//! The session as the UI sees it: who is logged in, re-read after login and logout.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account::SessionUser;
use crate::server_fns::auth::me;

/// The logged-in user (a resource) and a counter that re-reads it.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
    version: RwSignal<u32>,
}

impl Session {
    /// Re-reads the user (after login or logout).
    pub fn reload(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Wires an action that changes the session (signup, login, claim, logout): each time
    /// `succeeded` turns true, re-read the user and, when `to` is given, go there.
    pub fn follow(self, succeeded: impl Fn() -> bool + 'static, to: Option<&'static str>) {
        Effect::new(move |_| {
            if succeeded() {
                self.reload();
                if let Some(path) = to {
                    leptos_router::hooks::use_navigate()(path, Default::default());
                }
            }
        });
    }

    /// The current user, once loaded.
    pub fn current(&self) -> Option<SessionUser> {
        self.user.get().and_then(Result::ok).flatten()
    }
}

/// Installs the session context; call once at the root.
pub fn provide_session() {
    let version = RwSignal::new(0_u32);
    // Blocking: the server render waits for it, so the header is right even without JavaScript.
    let user = Resource::new_blocking(move || version.get(), |_| me());
    provide_context(Session { user, version });
}

/// The session context installed by [`provide_session`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}
