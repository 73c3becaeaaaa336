/** Request bodies are small JSON documents ({name}); anything bigger is refused with 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;
