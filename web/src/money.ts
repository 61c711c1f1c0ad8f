/** Kobo as naira, the way a Lagos menu writes it: ₦2,500 or ₦2,500.50. */
export function naira(kobo: number): string {
  const sign = kobo < 0 ? "-" : "";
  const abs = Math.abs(kobo);
  const whole = Math.floor(abs / 100).toLocaleString("en-NG");
  const rest = abs % 100;
  return `${sign}₦${whole}${rest ? "." + String(rest).padStart(2, "0") : ""}`;
}

/** Naira as a person types it ("2,500", "₦2500.50") in kobo; null when it is not an amount. */
export function kobo(text: string): number | null {
  const clean = text.replace(/[₦,\s]/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  const [whole, part = ""] = clean.split(".");
  return Number(whole) * 100 + Number(part.padEnd(2, "0"));
}
