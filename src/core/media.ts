// The kind of a file as WhatsApp names it (Meta's and Whapi's send types), from its MIME type.

/** The WhatsApp media kind for a MIME type; anything that is not an image, a video or audio is a document. */
export function mediaKindOf(mimeType: string | undefined): 'image' | 'video' | 'audio' | 'document' {
  const top = (mimeType ?? '').split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}
