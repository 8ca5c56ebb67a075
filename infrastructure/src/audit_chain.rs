//! The audit hash chain: each entry's hash covers the previous entry's hash and the
//! entry's own fields, so a rewritten, inserted or removed row breaks the chain from
//! that point on. One chain per tenant, one for platform-level entries.

use sha2::{Digest, Sha256};
use tenantry_application::pipeline::AuditEntry;
use tenantry_kernel::TenantId;

/// The "previous hash" of a chain's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain an entry belongs to.
pub fn chain_key(tenant: Option<TenantId>) -> String {
    tenant.map_or_else(|| "platform".to_owned(), |t| t.to_string())
}

/// The fields a link covers, as stored (timestamps in microseconds, as both backends keep them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    pub id: uuid::Uuid,
    pub occurred_micros: i64,
    pub tenant_id: Option<uuid::Uuid>,
    pub actor_id: Option<uuid::Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
}

impl From<&AuditEntry> for ChainedEntry {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id,
            occurred_micros: entry.occurred_at.timestamp_micros(),
            tenant_id: entry.tenant_id.map(|t| t.as_uuid()),
            actor_id: entry.actor_id.map(|a| a.as_uuid()),
            action: entry.action.to_owned(),
            entity_type: entry.entity_type.to_owned(),
            entity_id: entry.entity_id.clone(),
            request_id: entry.request_id.clone(),
            ip: entry.ip.clone(),
        }
    }
}

/// SHA-256 (hex) of the previous hash, the position and the fields, serialised as
/// one JSON array so no two different entries share an encoding.
pub fn link_hash(previous: &str, seq: i64, entry: &ChainedEntry) -> String {
    let canonical = serde_json::json!([
        previous,
        seq,
        entry.id,
        entry.occurred_micros,
        entry.tenant_id,
        entry.actor_id,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.request_id,
        entry.ip,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// What `tenantry audit verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub chains: usize,
    pub entries: u64,
    /// `(chain, seq, what is wrong)` for the first broken link of each broken chain.
    pub broken: Vec<(String, i64, &'static str)>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_empty()
    }
}

/// Checks chains given as `(chain_key, seq, prev_hash, hash, entry)` rows ordered
/// by chain and position.
pub fn verify(rows: impl IntoIterator<Item = (String, i64, String, String, ChainedEntry)>) -> ChainReport {
    let mut report = ChainReport::default();
    let mut current: Option<(String, i64, String, bool)> = None;
    for (chain, seq, prev_hash, hash, entry) in rows {
        report.entries += 1;
        let (expected_seq, expected_prev) = match &current {
            Some((key, last_seq, last_hash, _)) if *key == chain => (last_seq + 1, last_hash.clone()),
            _ => {
                report.chains += 1;
                current = Some((chain.clone(), 0, GENESIS_HASH.to_owned(), false));
                (1, GENESIS_HASH.to_owned())
            }
        };
        let Some(state) = current.as_mut() else { continue };
        if !state.3 {
            let problem = if seq != expected_seq {
                Some("an entry is missing before this one")
            } else if prev_hash != expected_prev {
                Some("the previous hash does not match the entry before")
            } else if link_hash(&prev_hash, seq, &entry) != hash {
                Some("the entry was changed after it was written")
            } else {
                None
            };
            if let Some(problem) = problem {
                report.broken.push((chain.clone(), seq, problem));
                state.3 = true;
            }
        }
        state.1 = seq;
        state.2 = hash;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> ChainedEntry {
        ChainedEntry {
            id: uuid::Uuid::now_v7(),
            occurred_micros: 1_700_000_000_000_000,
            tenant_id: None,
            actor_id: None,
            action: action.to_owned(),
            entity_type: "user".to_owned(),
            entity_id: Some("42".to_owned()),
            request_id: "req".to_owned(),
            ip: None,
        }
    }

    fn chain(actions: &[&str]) -> Vec<(String, i64, String, String, ChainedEntry)> {
        let mut previous = GENESIS_HASH.to_owned();
        let mut rows = Vec::new();
        for (index, action) in actions.iter().enumerate() {
            let seq = i64::try_from(index).unwrap() + 1;
            let entry = entry(action);
            let hash = link_hash(&previous, seq, &entry);
            rows.push(("platform".to_owned(), seq, previous.clone(), hash.clone(), entry));
            previous = hash;
        }
        rows
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let report = verify(chain(&["a", "b", "c"]));
        assert!(report.is_intact());
        assert_eq!((report.chains, report.entries), (1, 3));
    }

    #[test]
    fn a_changed_removed_or_reordered_entry_is_found() {
        let mut changed = chain(&["a", "b", "c"]);
        changed[1].4.action = "identity.nothing_to_see".to_owned();
        assert_eq!(verify(changed).broken, [("platform".to_owned(), 2, "the entry was changed after it was written")]);

        let mut removed = chain(&["a", "b", "c"]);
        removed.remove(1);
        assert_eq!(verify(removed).broken[0].1, 3);

        let mut relinked = chain(&["a", "b", "c"]);
        relinked[2].2 = GENESIS_HASH.to_owned();
        assert_eq!(verify(relinked).broken[0].2, "the previous hash does not match the entry before");
    }
}
