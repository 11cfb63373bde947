//! The search engine and the corpus importer behind [`super::Backend`].
//!
//! Placeholder until `search::Engine` lands: every operation reports that the engine is not
//! available.

use super::{Backend, BackendError, Imported, Library, Rebuilt};
use crate::config::Paths;
use std::sync::Arc;

/// The real engine (`search::Engine`) and importer (`corpus::import`).
pub struct EngineBackend;

impl Backend for EngineBackend {
    fn open(
        &self,
        _paths: &Paths,
        _progress: &mut dyn FnMut(&str),
    ) -> Result<Arc<dyn Library>, BackendError> {
        Err(BackendError("search engine not available yet".into()))
    }
    fn rebuild(
        &self,
        _paths: &Paths,
        _progress: &mut dyn FnMut(&str),
    ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError> {
        Err(BackendError("search engine not available yet".into()))
    }
    fn import(&self, _paths: &Paths, _raw: &[u8]) -> Result<Imported, BackendError> {
        Err(BackendError("importer not available yet".into()))
    }
}
