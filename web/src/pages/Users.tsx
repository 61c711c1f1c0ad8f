import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api/client";
import { Notice } from "../ui";

type UserRow = { id: string; role: string; email?: string | null; phone?: string | null; is_verified: boolean; created_at: string };

/** Everyone with an account, newest first, a page at a time. */
export function Users() {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const more = async (from?: string | null) => {
    const { data, error } = await api.GET("/api/auths/admin/users/", { params: { query: { limit: 50, ...(from ? { cursor: from } : {}) } } });
    if (!data) return setProblem(messageOf(error, "The users could not be loaded."));
    setUsers((u) => [...u, ...(data.items as unknown as UserRow[])]);
    setCursor(data.next_cursor ?? null);
  };
  useEffect(() => {
    more();
  }, []);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {problem && <Notice tone="error">{problem}</Notice>}
      <ul class="lines">
        {users.map((u) => (
          <li key={u.id} class="line">
            <span>{u.email ?? u.phone}</span>
            <span>{u.role}</span>
            <span>{u.is_verified ? "verified" : "not verified"}</span>
          </li>
        ))}
      </ul>
      {cursor && (
        <button class="secondary" onClick={() => more(cursor)}>
          More
        </button>
      )}
    </section>
  );
}
