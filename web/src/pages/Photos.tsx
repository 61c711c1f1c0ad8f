import { useState } from "preact/hooks";
import { api, messageOf, type Food } from "../api/client";
import { Notice } from "../ui";

const TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_BYTES = 5 * 1024 * 1024;

type Upload = { url: string; fields: Record<string, string> };

/** A dish's photos API: a kitchen's own routes (`slug`) or the home kitchen's. */
function photosAt(slug: string | undefined, food: string) {
  return {
    start: (content_type: string, size: number) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/items/{id}/images/", { params: { path: { slug, id: food } }, body: { content_type: content_type as never, size } })
        : api.POST("/api/foods/admin/items/{id}/images/", { params: { path: { id: food } }, body: { content_type: content_type as never, size } }),
    ready: (image_id: string) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/ready/", { params: { path: { slug, id: food, image_id } } })
        : api.POST("/api/foods/admin/items/{id}/images/{image_id}/ready/", { params: { path: { id: food, image_id } } }),
    primary: (image_id: string) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/", { params: { path: { slug, id: food, image_id } }, body: { is_primary: true } })
        : api.PATCH("/api/foods/admin/items/{id}/images/{image_id}/", { params: { path: { id: food, image_id } }, body: { is_primary: true } }),
    remove: (image_id: string) =>
      slug
        ? api.DELETE("/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/", { params: { path: { slug, id: food, image_id } } })
        : api.DELETE("/api/foods/admin/items/{id}/images/{image_id}/", { params: { path: { id: food, image_id } } }),
  };
}

/** Posts the file to storage as the signed form says (its fields, then the file, last),
 * reporting progress; resolves when storage has it. */
function send(upload: Upload, file: File, progress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`storage answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error("storage cannot be reached"));
    xhr.send(form);
  });
}

/** A picked file as a data: URL (the app's CSP allows data: pictures, not blob: ones). */
function preview(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The photos of a dish: add one (preview, progress), choose the main one, delete. */
export function DishPhotos({ slug, food, changed }: { slug?: string; food: Food; changed: () => void }) {
  const photos = photosAt(slug, food.id);
  const [picked, setPicked] = useState<{ file: File; preview: string } | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [note, setNote] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const full = food.images.length >= 8;
  /** Runs a change; a request that never gets an answer says so instead of doing nothing. */
  const attempt = (work: () => Promise<void>) =>
    work().catch(() => setNote({ tone: "error", text: "The kitchen cannot be reached. Check your connection and try again." }));

  const upload = async () => {
    if (!picked) return;
    const { file } = picked;
    setNote(null);
    setProgress(0);
    try {
      const started = await photos.start(file.type, file.size);
      if (!started.data) return setNote({ tone: "error", text: messageOf(started.error, "The photo could not be uploaded.") });
      await send(started.data.upload, file, setProgress);
      const ready = await photos.ready(started.data.image.id);
      if (!ready.data) return setNote({ tone: "error", text: messageOf(ready.error, "The photo did not arrive; try again.") });
      setPicked(null);
      setNote({ tone: "ok", text: "Photo added." });
      changed();
    } catch {
      setNote({ tone: "error", text: "The photo could not be sent. Check your connection and try again." });
    } finally {
      setProgress(null);
    }
  };

  return (
    <div class="photos">
      <h4>Photos</h4>
      {food.images.length > 0 && (
        <ul class="photo-list">
          {food.images.map((image) => (
            <li key={image.id}>
              {image.status === "ready" ? <img class="photo" src={image.url} alt="" width={72} height={72} loading="lazy" /> : <span class="photo placeholder">…</span>}
              <span>{image.is_primary ? <strong>Main photo</strong> : image.status === "pending" ? "Not uploaded" : ""}</span>
              {image.status === "ready" && !image.is_primary && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() =>
                    attempt(async () => {
                      const { error } = await photos.primary(image.id);
                      setNote(error ? { tone: "error", text: messageOf(error, "Could not change the main photo.") } : { tone: "ok", text: "Main photo changed." });
                      changed();
                    })
                  }
                >
                  Make main photo
                </button>
              )}
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  if (!confirm("Delete this photo?")) return;
                  attempt(async () => {
                    const { error } = await photos.remove(image.id);
                    setNote(error ? { tone: "error", text: messageOf(error, "Could not delete the photo.") } : { tone: "ok", text: "Photo deleted." });
                    changed();
                  });
                }}
              >
                Delete photo
              </button>
            </li>
          ))}
        </ul>
      )}
      {full ? (
        <p class="limit">A dish holds 8 photos; delete one to add another.</p>
      ) : (
        <label>
          Add a photo of {food.name} (JPEG, PNG or WebP, up to 5 MB)
          <input
            type="file"
            accept={TYPES.join(",")}
            onChange={async (e) => {
              const file = e.currentTarget.files?.[0];
              setNote(null);
              if (!file) return setPicked(null);
              if (!TYPES.includes(file.type)) return setNote({ tone: "error", text: "Choose a JPEG, PNG or WebP picture." });
              if (file.size > MAX_BYTES) return setNote({ tone: "error", text: "The picture is over 5 MB; choose a smaller one." });
              setPicked({ file, preview: await preview(file) });
            }}
          />
        </label>
      )}
      {picked && (
        <div class="photo-pick">
          <img class="photo big" src={picked.preview} alt={`The new photo of ${food.name}`} />
          <button type="button" class="primary" disabled={progress !== null} onClick={upload}>
            {progress === null ? "Upload photo" : "Uploading…"}
          </button>
          {progress !== null && <progress max={1} value={progress} aria-label="Upload progress" />}
        </div>
      )}
      {note && <Notice tone={note.tone}>{note.text}</Notice>}
    </div>
  );
}
