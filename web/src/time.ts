// time.ts - times from the server are UTC (unix seconds); people read them in Beijing time.
const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export function fmtTime(unix: number | null | undefined): string {
  return unix ? fmt.format(new Date(unix * 1000)) : '—';
}
