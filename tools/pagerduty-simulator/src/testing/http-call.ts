import { request } from 'undici';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** A tiny JSON HTTP call for specs. */
export async function httpCall(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  options: { raw?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpReply> {
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await request(url, {
    method,
    body: payload,
    headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}
