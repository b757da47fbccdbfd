wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer "
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"text":"I have called three times about order #4521 and nobody has fixed it. The blender arrived broken and I need a refund by Friday, please.","role":"customer"}]]
