/** Small HTTP helpers for the doctor: every call has a timeout and never throws for an HTTP status. */
export interface Reply {
  status: number;
  json: Record<string, unknown> | null;
  date: Date | null;
  error?: undefined;
}

export interface Unreachable {
  status: 0;
  json: null;
  date: null;
  error: string;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply | Unreachable> {
  try {
    const response = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let json: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      json = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
    } catch {
      json = null;
    }
    const header = response.headers.get('date');
    return { status: response.status, json, date: header ? new Date(header) : null };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, json: null, date: null, error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
