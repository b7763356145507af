-- wrk script: record an ATM patrol through the JSON API (bearer token and ATM id from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"kind":"atm_patrol","asset_id":' .. os.getenv("ATM") .. ',"checks":["appearance_ok","no_skimmer","notice_ok"]}'
