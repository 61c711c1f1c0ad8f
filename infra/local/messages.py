"""Prints the messages the local SES/SNS emulator (moto) delivered, oldest first: each with its
recipient and subject (emails) and text. With an address, only that recipient's.

Reads moto's /moto-api/data.json from stdin. Usage: dev.sh messages [kitchen@chukskitchen.local]
"""
import html
import json
import re
import sys

who = sys.argv[1].strip().lower() if len(sys.argv) > 1 else None
data = json.load(sys.stdin)
for msg in data.get("ses", {}).get("Message", []):
    to = [a.lower() for a in msg.get("destinations", {}).get("ToAddresses", [])]
    if who and who not in to:
        continue
    body = msg.get("body", "")
    text = html.unescape(re.sub(r"<[^>]+>", " ", body)) if "<" in body else body
    print(f"email to {', '.join(to)}: {msg.get('subject', '')}\n  {' '.join(text.split())}")
for sms in data.get("sns", {}).get("SMS", []):
    if who and sms.get("phone_number") != who:
        continue
    print(f"sms to {sms.get('phone_number')}: {sms.get('message', '')}")
