/** Kobo as naira, the way a Lagos menu writes it: ₦2,500 or ₦2,500.50. */
export function naira(kobo: number): string {
  const sign = kobo < 0 ? "-" : "";
  const abs = Math.abs(kobo);
  const whole = Math.floor(abs / 100).toLocaleString("en-NG");
  const rest = abs % 100;
  return `${sign}₦${whole}${rest ? "." + String(rest).padStart(2, "0") : ""}`;
}
