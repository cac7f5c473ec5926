// A widget's working hours, read in the widget's own time zone through Intl (no offsets by hand,
// so daylight-saving changes are the platform's problem, not ours).

export interface WorkingHours {
  /** IANA zone, e.g. Europe/Berlin */
  timeZone: string;
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  /** HH:MM, local */
  start: string;
  end: string;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_WEEKDAYS = WEEKDAYS.map((d) => d.slice(0, 3));

/** The local weekday and HH:MM of an instant in a time zone. */
export function localTime(timeZone: string, at: Date): { day: number; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: SHORT_WEEKDAYS.indexOf(part('weekday')), time: `${part('hour')}:${part('minute')}` };
}

/** True inside the hours (always, when a widget sets none). The end minute is outside. */
export function isWithinWorkingHours(hours: WorkingHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  const { day, time } = localTime(hours.timeZone, at);
  return hours.days.includes(day) && time >= hours.start && time < hours.end;
}

/** When agents are next back, in words the visitor reads: "today at 09:00", "tomorrow at 09:00", "Monday at 09:00". */
export function nextOpening(hours: WorkingHours, at: Date): string {
  const { day, time } = localTime(hours.timeZone, at);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const weekday = (day + ahead) % 7;
    if (!hours.days.includes(weekday)) continue;
    if (ahead === 0 && time >= hours.start) continue;
    const when = ahead === 0 ? 'today' : ahead === 1 ? 'tomorrow' : WEEKDAYS[weekday];
    return `${when} at ${hours.start} (${hours.timeZone})`;
  }
  return `at ${hours.start} (${hours.timeZone})`;
}
