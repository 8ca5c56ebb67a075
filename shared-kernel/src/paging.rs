//! Page and sort requests and the page result every list endpoint returns.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Page sizes allowed by the API conventions.
pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// A validated 1-based page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    size: u32,
}

impl PageRequest {
    pub fn new(page: Option<u32>, size: Option<u32>) -> Result<Self, ValidationError> {
        let page = page.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        ValidationError::collect([
            if page >= 1 { Ok(()) } else { Err(ValidationError::field("page", "must_be_at_least_1")) },
            if (1..=MAX_PAGE_SIZE).contains(&size) {
                Ok(())
            } else {
                Err(ValidationError::field("size", "must_be_between_1_and_100"))
            },
        ])?;
        Ok(Self { page, size })
    }

    pub fn page(&self) -> u32 {
        self.page
    }

    pub fn size(&self) -> u32 {
        self.size
    }

    /// Rows to skip, computed in 64 bits so large pages cannot overflow.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, size: DEFAULT_PAGE_SIZE }
    }
}

/// Sort direction of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// One page of results with the total the client needs to paginate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub size: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self { items, page: request.page, size: request.size, total }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), page: self.page, size: self.size, total: self.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_first_page_of_twenty() {
        let request = PageRequest::new(None, None).unwrap();
        assert_eq!((request.page(), request.size(), request.offset()), (1, 20, 0));
    }

    #[test]
    fn rejects_page_zero_and_oversized_pages_together() {
        let err = PageRequest::new(Some(0), Some(101)).unwrap_err();
        let fields: Vec<_> = err.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["page", "size"]);
    }

    #[test]
    fn offset_skips_previous_pages() {
        assert_eq!(PageRequest::new(Some(3), Some(50)).unwrap().offset(), 100);
    }
}
