//! Who the admins are: numeric Telegram user ids from `ADMIN_IDS`, never usernames (they can
//! change hands). One value, made once from the settings and shared: the dispatcher gets it
//! through `dptree::deps!` to route admin commands, the core to word its help and `/stats`.

use std::collections::BTreeSet;
use std::sync::Arc;

/// The admins' user ids. Cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admins(Arc<BTreeSet<u64>>);

impl Admins {
    pub(crate) fn new(ids: impl IntoIterator<Item = u64>) -> Admins {
        Admins(Arc::new(ids.into_iter().collect()))
    }

    pub(crate) fn contains(&self, user: u64) -> bool {
        self.0.contains(&user)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::Admins;

    #[test]
    fn membership_by_id() {
        let a = Admins::new([12, 34]);
        assert!(a.contains(12) && a.contains(34) && !a.contains(56));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![12, 34]);
        assert_eq!(Admins::default().iter().count(), 0);
    }
}
