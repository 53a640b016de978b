// The console's only way to the server: POST /graphql (and /auth/login, /auth/logout for
// the session), same origin. A request signed in by the session cookie carries the
// session's CSRF token, which POST /auth/login also sets in the readable cookie
// tagflow_csrf, and the org the user acts in (X-Tagflow-Org).

/** One problem of an INVALID_DEFINITION or FORBIDDEN answer (extensions.problems). */
export interface Problem {
  asset?: string;
  path?: string;
  message?: string;
  reason?: string;
  line?: number;
  [key: string]: unknown;
}

/** An error the server answered: its machine code and message, as the server wrote them. */
export class ApiError extends Error {
  readonly code: string;
  readonly problems: Problem[];
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  constructor(code: string, message: string, status = 200, problems: Problem[] = [], extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.problems = problems;
    this.extensions = extensions;
  }
}

const ORG_KEY = "tagflow.org";

/** The org the user acts in, or "" for the session's own. */
export function actingOrg(): string {
  return localStorage.getItem(ORG_KEY) ?? "";
}

export function setActingOrg(org: string): void {
  if (org) localStorage.setItem(ORG_KEY, org);
  else localStorage.removeItem(ORG_KEY);
}

/** readCookie returns the value of the cookie name in a document.cookie string. */
export function readCookie(cookies: string, name: string): string {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return "";
}

/** The headers every console request carries. */
export function sessionHeaders(): Record<string, string> {
  const h: Record<string, string> = { "Content-Type": "application/json" };
  const csrf = readCookie(document.cookie, "tagflow_csrf");
  if (csrf) h["X-Tagflow-CSRF"] = csrf;
  const org = actingOrg();
  if (org) h["X-Tagflow-Org"] = org;
  return h;
}

/** Called when the server says the session is gone (401): the shell shows the sign-in. */
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(f: () => void): void {
  onSignedOut = f;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** errorOf turns the first error of an answer into an ApiError. */
export function errorOf(errors: NonNullable<GraphQLAnswer<unknown>["errors"]>, status: number): ApiError {
  const e = errors[0];
  const ext = e.extensions ?? {};
  const code = typeof ext.code === "string" ? ext.code : "INTERNAL";
  const problems = Array.isArray(ext.problems) ? (ext.problems as Problem[]) : [];
  return new ApiError(code, e.message, status, problems, ext);
}

/** gql sends one GraphQL request and answers its data, or throws the first error as an ApiError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: sessionHeaders(),
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError("UNAVAILABLE", "the tagflow server cannot be reached: " + (err as Error).message, 0);
  }
  let body: GraphQLAnswer<T> & { code?: string; message?: string };
  try {
    body = await res.json();
  } catch {
    throw new ApiError("INTERNAL", `the server answered ${res.status} ${res.statusText} without JSON`, res.status);
  }
  if (res.status === 401) {
    onSignedOut();
  }
  if (body.errors && body.errors.length > 0) throw errorOf(body.errors, res.status);
  if (!res.ok) throw new ApiError(body.code ?? "INTERNAL", body.message ?? `HTTP ${res.status}`, res.status);
  return body.data as T;
}

/** A signed-in session as /auth/login answers it. */
export interface Session {
  principal: string;
  org: string;
  csrfToken: string;
  expiresAt: string;
}

/** login signs in with a password; org "" is the user's home org. */
export async function login(org: string, user: string, password: string): Promise<Session> {
  const body: Record<string, string> = { user, password };
  if (org) body.org = org;
  const res = await fetch("/auth/login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const ans = await res.json().catch(() => ({}));
  if (!res.ok) {
    const retry = res.headers.get("Retry-After");
    const msg = (ans.message as string) ?? `HTTP ${res.status}`;
    throw new ApiError(ans.code ?? "INTERNAL", retry ? `${msg} (try again in ${retry} s)` : msg, res.status);
  }
  return ans as Session;
}

/** logout ends the session (the cookie's CSRF token goes with it). */
export async function logout(): Promise<void> {
  await fetch("/auth/logout", { method: "POST", credentials: "same-origin", headers: sessionHeaders() });
}
