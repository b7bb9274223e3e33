/** RGBA pixels of a photo-like picture drawn in code (see photo.mjs). */
export function photo(width: number, height: number, seed?: number): { width: number; height: number; data: Uint8Array };
