//! List conventions of API.md: `?page=1&size=20&sort_by=created_at&order=desc` in,
//! `{"items", "page", "size", "total"}` out. Every list route uses these types, so
//! bounds and error answers are the same everywhere.

use serde::{Deserialize, Serialize};
use tenantry_application::ports::ListQuery;
use tenantry_application::AppError;
use tenantry_kernel::{Page, PageRequest, SortOrder, ValidationError};
use utoipa::{IntoParams, ToSchema};

/// Query parameters of a list request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1..=100 (default 20).
    pub size: Option<u32>,
    /// A field the route allows sorting by.
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(value_type = Option<String>, example = "desc")]
    pub order: Option<SortOrder>,
}

impl PageParams {
    /// Validates the page bounds and that `sort_by` is one of `sortable` (the first is the default).
    ///
    /// # Errors
    /// 400 `validation_failed` naming `page`, `size` or `sort_by`.
    pub fn validate(&self, sortable: &[&'static str]) -> Result<ListQuery, AppError> {
        let page = PageRequest::new(self.page, self.size);
        let sort_by = match &self.sort_by {
            None => sortable.first().copied().ok_or_else(|| ValidationError::field("sort_by", "not_sortable")),
            Some(wanted) => sortable
                .iter()
                .copied()
                .find(|field| field == wanted)
                .ok_or_else(|| ValidationError::field("sort_by", "unknown_field")),
        };
        match (page, sort_by) {
            (Ok(page), Ok(sort_by)) => Ok(ListQuery { page, sort_by, order: self.order.unwrap_or_default() }),
            (page, sort_by) => Err(ValidationError::collect([page.map(drop), sort_by.map(drop)])
                .err()
                .map_or_else(|| AppError::internal(ValidationError::field("page", "invalid")), AppError::from)),
        }
    }
}

impl PageParams {
    /// For a list with one fixed order (`field`, `order`): `sort_by` and `order` may
    /// name it, anything else is a 400 rather than silently ignored (API.md "Lists").
    ///
    /// # Errors
    /// 400 `validation_failed` naming `page`, `size`, `sort_by` or `order`.
    pub fn fixed_order(&self, field: &'static str, order: SortOrder) -> Result<PageRequest, AppError> {
        let query = self.validate(&[field]);
        let order_ok = match self.order {
            Some(asked) if asked != order => Err(ValidationError::field("order", "not_supported")),
            _ => Ok(()),
        };
        match (query, order_ok) {
            (Ok(query), Ok(())) => Ok(query.page),
            (Err(error), Ok(())) => Err(error),
            (query, order_ok) => {
                let mut violations = query.err().map(|e| e.details().to_vec()).unwrap_or_default();
                violations.extend(order_ok.err().map(|e| e.violations).unwrap_or_default());
                Err(AppError::from(ValidationError { violations }))
            }
        }
    }
}

/// One page of a list, as every list route answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T: ToSchema> {
    pub items: Vec<T>,
    pub page: u32,
    pub size: u32,
    /// Items across all pages.
    pub total: u64,
}

impl<T: ToSchema> PageResponse<T> {
    pub fn from_page<U>(page: Page<U>, convert: impl FnMut(U) -> T) -> Self {
        let Page { items, page, size, total } = page;
        Self { items: items.into_iter().map(convert).collect(), page, size, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantry_application::ErrorCode;

    const SORTABLE: &[&str] = &["created_at", "name"];

    #[test]
    fn defaults_to_the_first_page_sorted_by_the_first_field() {
        let request = PageParams::default().validate(SORTABLE).unwrap();
        assert_eq!(
            (request.page.page(), request.page.size(), request.sort_by, request.order),
            (1, 20, "created_at", SortOrder::Asc)
        );
    }

    #[test]
    fn an_unknown_sort_field_and_a_bad_size_are_both_reported() {
        let params = PageParams { size: Some(500), sort_by: Some("password_hash".into()), ..PageParams::default() };
        let error = params.validate(SORTABLE).unwrap_err();
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        let fields: Vec<_> = error.details().iter().map(|d| (d.field.as_str(), d.issue.as_str())).collect();
        assert_eq!(fields, [("size", "must_be_between_1_and_100"), ("sort_by", "unknown_field")]);
    }

    #[test]
    fn a_fixed_order_list_refuses_another_field_or_direction() {
        let fine =
            PageParams { sort_by: Some("created_at".into()), order: Some(SortOrder::Desc), ..PageParams::default() };
        assert_eq!(fine.fixed_order("created_at", SortOrder::Desc).unwrap().size(), 20);
        let other = PageParams { sort_by: Some("email".into()), order: Some(SortOrder::Asc), ..PageParams::default() };
        let error = other.fixed_order("created_at", SortOrder::Desc).unwrap_err();
        let fields: Vec<_> = error.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["sort_by", "order"]);
    }

    #[test]
    fn maps_a_page_into_the_response_shape() {
        let page = Page::new(vec![1, 2], PageRequest::new(Some(2), Some(2)).unwrap(), 5);
        let response = PageResponse::<String>::from_page(page, |n| n.to_string());
        assert_eq!(
            (response.items, response.page, response.size, response.total),
            (vec!["1".to_owned(), "2".to_owned()], 2, 2, 5)
        );
    }
}
