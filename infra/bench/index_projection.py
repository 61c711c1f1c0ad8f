"""What an index's projection costs, on DynamoDB Local (infra/bench/index-projection.sh).

Three tables with the app's three indexes: one whose indexes all hold whole items (ALL, as
first deployed), one with GSI2 and GSI3 holding only the order list's attributes (INCLUDE) and
GSI1 whole items (2026-11-30, night), and one as shared/src/schema.rs makes it now (GSI1 too
holds only whole accounts and each order's list attributes). The attribute lists are read from
the summary branch of each index's projection in infra/template.yaml (which a test holds to
shared/src/schema.rs).
On each, 20 orders of 3 and then 10 lines shaped like the orders slice stores them are placed,
marked paid (as the webhook does) and confirmed (a status change moves GSI2); the kitchen's
list of 20 pending orders (GSI2) and the customer's own list of 20 (GSI1) are read with the
list's projection. The capacity units DynamoDB reports are averaged per operation.
"""
import sys, json, random, pathlib, boto3, yaml
ep = sys.argv[1]
TEMPLATE = pathlib.Path(__file__).resolve().parents[1] / "template.yaml"
db = boto3.client("dynamodb", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
def included(index):
    """The NonKeyAttributes of the index's summary projection in the template."""
    gsis = yaml.safe_load(TEMPLATE.read_text())["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]
    projection = next(g for g in gsis if g["IndexName"] == index)["Projection"]
    return projection["Fn::If"][1]["NonKeyAttributes"]
SUMMARY = included("GSI2")
GSI1_INCLUDE = included("GSI1")
# What each index holds in each layout: None for every attribute, else the INCLUDE list.
LAYOUTS = {
    "ALL": {1: None, 2: None, 3: None},
    "NIGHT": {1: None, 2: SUMMARY, 3: SUMMARY},
    "NOW": {1: GSI1_INCLUDE, 2: SUMMARY, 3: SUMMARY},
}
def ulid(): return "01JD" + "".join(random.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(22))
def projection(held):
    return {"ProjectionType": "ALL"} if held is None else {"ProjectionType": "INCLUDE", "NonKeyAttributes": held}
def table(name, layout):
    gsis = [{"IndexName": f"GSI{i}", "KeySchema": [{"AttributeName": f"GSI{i}PK", "KeyType": "HASH"}, {"AttributeName": f"GSI{i}SK", "KeyType": "RANGE"}], "Projection": projection(LAYOUTS[layout][i])} for i in (1,2,3)]
    attrs = [{"AttributeName": a, "AttributeType": "S"} for a in ["PK","SK","GSI1PK","GSI1SK","GSI2PK","GSI2SK","GSI3PK","GSI3SK"]]
    db.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}], AttributeDefinitions=attrs, GlobalSecondaryIndexes=gsis)
def S(v): return {"S": v}
def N(v): return {"N": str(v)}
def order(lines, customer):
    oid = ulid()
    names = ["Jollof Rice with Chicken","Fried Rice and Turkey","Dodo (fried plantain)","Chapman","Pounded Yam and Egusi","Moi Moi","Peppered Snail","Suya Platter","Zobo (50cl)","Bottled Water (75cl)"]
    items = [{"M": {"food_item_id": S(ulid()), "name": S(names[i % 10]), "unit_price": N(250000), "quantity": N(1 + i % 3), "line_total": N(250000 * (1 + i % 3)), "stock_taken": {"BOOL": i % 2 == 0}}} for i in range(lines)]
    hist = [{"M": {"status": S("pending"), "at": S("2026-11-30T12:00:00Z"), "by": S(customer), "by_role": S("customer")}}]
    return oid, {
        "PK": S(f"ORDER#{oid}"), "SK": S("ORDER"), "GSI1PK": S(f"CUSTOMER#{customer}"), "GSI1SK": S(oid),
        "GSI2PK": S("ORDERSTATUS#pending"), "GSI2SK": S(oid), "GSI3PK": S("ORDERS"), "GSI3SK": S(oid),
        "id": S(oid), "customer_id": S(customer), "status": S("pending"), "payment_status": S("unpaid"), "payment_method": {"NULL": True},
        "fulfilment": S("delivery"), "total": N(250000 * lines), "currency": S("NGN"), "items": {"L": items}, "status_history": {"L": hist},
        "delivery_address": S("12 Admiralty Way, Lekki Phase 1, Lagos"), "note": S("Extra pepper, please"),
        "created_at": S("2026-11-30T12:00:00Z"), "updated_at": S("2026-11-30T12:00:00Z"), "item_count": N(lines),
        "summary": S(", ".join(f"{1 + i % 3} × {names[i % 10]}" for i in range(lines))[:140]),
        "payment": {"M": {"provider": S("paystack"), "reference": S(f"ck-{oid}-{ulid()}"), "authorization_url": S("https://checkout.paystack.com/abcdefghijklmno"), "amount": N(250000 * lines), "currency": S("NGN")}},
    }
def cap(resp): 
    c = resp.get("ConsumedCapacity", {})
    return c.get("CapacityUnits", 0), {k: v["CapacityUnits"] for k, v in c.get("GlobalSecondaryIndexes", {}).items()}
results = {}
for proj in LAYOUTS:
    name = f"exp{proj}"
    table(name, proj)
    for lines in (3, 10):
        customer = ulid()
        put_total = move_total = pay_total = 0
        ids = []
        for _ in range(20):
            oid, item = order(lines, customer)
            ids.append(oid)
            r = db.put_item(TableName=name, Item=item, ReturnConsumedCapacity="INDEXES"); put_total += cap(r)[0]
        names = {f"#a{i}": a for i, a in enumerate(SUMMARY)}
        for oid in ids:
            r = db.update_item(TableName=name, Key={"PK": S(f"ORDER#{oid}"), "SK": S("ORDER")},
                UpdateExpression="SET payment_status = :p, updated_at = :at, status_history = list_append(status_history, :e)",
                ExpressionAttributeValues={":p": S("paid"), ":at": S("2026-11-30T12:01:00Z"), ":e": {"L": [{"M": {"status": S("pending"), "payment_status": S("paid"), "at": S("2026-11-30T12:01:00Z"), "by": S("paystack"), "by_role": S("paystack")}}]}},
                ReturnConsumedCapacity="INDEXES"); pay_total += cap(r)[0]
        q = db.query(TableName=name, IndexName="GSI2", KeyConditionExpression="GSI2PK = :pk", ExpressionAttributeValues={":pk": S("ORDERSTATUS#pending")},
                     ProjectionExpression=", ".join(names), ExpressionAttributeNames=names, ScanIndexForward=False, Limit=20, ReturnConsumedCapacity="INDEXES")
        mine = db.query(TableName=name, IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk", ExpressionAttributeValues={":pk": S(f"CUSTOMER#{customer}")},
                     ProjectionExpression=", ".join(names), ExpressionAttributeNames=names, ScanIndexForward=False, Limit=20, ReturnConsumedCapacity="INDEXES")
        for oid in ids:
            r = db.update_item(TableName=name, Key={"PK": S(f"ORDER#{oid}"), "SK": S("ORDER")},
                UpdateExpression="SET #s = :s, GSI2PK = :g, updated_at = :at, status_history = list_append(status_history, :e)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": S("confirmed"), ":g": S("ORDERSTATUS#confirmed"), ":at": S("2026-11-30T12:02:00Z"), ":e": {"L": [{"M": {"status": S("confirmed"), "at": S("2026-11-30T12:02:00Z"), "by": S("admin"), "by_role": S("admin")}}]}},
                ReturnConsumedCapacity="INDEXES"); move_total += cap(r)[0]
        item_size = len(json.dumps(order(lines, customer)[1]))
        results[(proj, lines)] = dict(place=put_total / 20, pay=pay_total / 20, status=move_total / 20, list20=cap(q)[0], returned=q["Count"], mine20=cap(mine)[0], mine_returned=mine["Count"], json_bytes=item_size)
print("| the indexes hold | lines | order item (JSON bytes, approx.) | place | Paystack marks paid | status change | the board's list of 20 (GSI2) | a customer's list of 20 (GSI1) |")
print("|---|---|---|---|---|---|---|---|")
for (proj, lines), r in results.items():
    held = {"ALL": "whole orders in all three (ALL)", "NIGHT": "summaries in GSI2 and GSI3, whole orders in GSI1", "NOW": "summaries in all three (GSI1: whole accounts)"}[proj]
    print(f"| {held} | {lines} | {r['json_bytes']} | {r['place']:.1f} | {r['pay']:.1f} | {r['status']:.1f} | {r['list20']:.1f} ({r['returned']} items) | {r['mine20']:.1f} ({r['mine_returned']} items) |")
