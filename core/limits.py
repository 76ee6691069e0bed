"""How much text a person may type into each kind of box.

Model fields carry these as max_length, so the console's forms, the API's serializers and any form
that writes the field (its max_length read from the field) refuse the same thing with the same
message; the database column stays unbounded text. Text the system writes itself (job messages,
history) is not bounded here.
"""

REASON = 1000  # a reason, a decision note, a question asked back, why someone is in hardship
NOTE = 2000  # a remark, a visit's findings, a reply in a consultation
ACCOUNT = 5000  # a worker's question, a case's handling summary, conditions and benefits of a plan
ARTICLE = 20000  # a knowledge-base answer, a program's description
