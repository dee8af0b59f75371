/** Shared helpers for the age checks: ages are whole hours/days computed from ctx.now. */
export function ageInDays(then: Date, now: Date): number {
  return (now.getTime() - then.getTime()) / 86_400_000;
}

export function describeAge(then: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - then.getTime());
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours === 1 ? 'an hour' : `${hours} hours`;
  const days = Math.floor(hours / 24);
  return `${days} days`;
}
