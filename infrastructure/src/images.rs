//! Thumbnails with the `image` crate. Uploaded images are untrusted: decoding is
//! bounded (dimensions and allocation) so a small file cannot expand into gigabytes,
//! and it runs on the blocking pool, never on the async threads.

use std::io::Cursor;

use async_trait::async_trait;
use bytes::Bytes;
use image::{ImageFormat, ImageReader, Limits};
use tenantry_application::files::ports::{ThumbnailError, Thumbnailer};

/// Wider or taller images are refused as unreadable.
const MAX_SIDE: u32 = 12_000;
/// The most a decode may allocate.
const MAX_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

/// Makes PNG thumbnails of PNG, JPEG, GIF and WebP images.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageThumbnailer;

fn thumbnail_of(image: &[u8], max_side: u32) -> Result<Vec<u8>, ThumbnailError> {
    let unreadable = |error: image::ImageError| ThumbnailError::Unreadable(error.to_string());
    let mut reader = ImageReader::new(Cursor::new(image))
        .with_guessed_format()
        .map_err(|error| ThumbnailError::Unreadable(error.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(unreadable)?;
    let mut png = Cursor::new(Vec::new());
    decoded
        .thumbnail(max_side, max_side)
        .write_to(&mut png, ImageFormat::Png)
        .map_err(|error| ThumbnailError::Other(Box::new(error)))?;
    Ok(png.into_inner())
}

#[async_trait]
impl Thumbnailer for ImageThumbnailer {
    async fn thumbnail(&self, image: Bytes, max_side: u32) -> Result<Vec<u8>, ThumbnailError> {
        tokio::task::spawn_blocking(move || thumbnail_of(&image, max_side))
            .await
            .map_err(|error| ThumbnailError::Other(Box::new(error)))?
    }
}

#[cfg(test)]
mod tests {
    use image::{GenericImageView, RgbImage};

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Cursor::new(Vec::new());
        RgbImage::new(width, height).write_to(&mut bytes, ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    #[tokio::test]
    async fn a_thumbnail_keeps_the_aspect_ratio_within_the_side() {
        let thumbnail = ImageThumbnailer.thumbnail(Bytes::from(png(1000, 500)), 256).await.unwrap();
        let decoded = image::load_from_memory(&thumbnail).unwrap();
        assert_eq!(decoded.dimensions(), (256, 128));
        assert_eq!(image::guess_format(&thumbnail).unwrap(), ImageFormat::Png);
    }

    #[tokio::test]
    async fn garbage_and_oversized_images_are_unreadable() {
        let garbage = ImageThumbnailer.thumbnail(Bytes::from_static(b"\x89PNG\r\n\x1a\nnot really"), 256).await;
        assert!(matches!(garbage, Err(ThumbnailError::Unreadable(_))));
        // A valid header announcing 20000x20000 pixels: refused before any allocation.
        let huge = ImageThumbnailer.thumbnail(Bytes::from(png(20_000, 1)), 256).await;
        assert!(matches!(huge, Err(ThumbnailError::Unreadable(_))), "{huge:?}");
    }
}
