"""Prints the newest OTP message the local SES/SNS emulator (moto) received for an identifier.

Reads moto's /moto-api/data.json from stdin. Usage: dev.sh otp a@b.com | dev.sh otp +2348012345678
"""
import json
import re
import sys

who = sys.argv[1].strip().lower()
data = json.load(sys.stdin)
found = None
for msg in data.get("ses", {}).get("Message", []):
    if who in [a.lower() for a in msg.get("destinations", {}).get("ToAddresses", [])]:
        found = msg.get("body", "")
for sms in data.get("sns", {}).get("SMS", []):
    if sms.get("phone_number") == who:
        found = sms.get("message", "")
if found is None:
    sys.exit(f"no message sent to {who}")
code = re.search(r"\b(\d{6})\b", found)
print(code.group(1) if code else found)
