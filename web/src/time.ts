// time.ts - the one time formatter: every time on every page is Beijing time (Asia/Shanghai)
// to the second, "YYYY-MM-DD HH:MM:SS". The server sends unix seconds or ISO 8601 in UTC.
const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

export function toDate(v: number | string | null | undefined): Date | null {
  if (v === null || v === undefined || v === '' || v === 0) return null;
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtTime(v: number | string | null | undefined): string {
  const d = toDate(v);
  if (!d) return '—';
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// Today's date in Beijing, YYYY-MM-DD (for "this year" and default dates).
export function todayInBeijing(): string {
  return fmtTime(Math.floor(Date.now() / 1000)).slice(0, 10);
}
