@echo off
rem The llmkeyvault provider plugin, as the Pulumi engine starts it on Windows
rem (the engine looks for pulumi-resource-llmkeyvault.exe or .cmd):
rem   pulumi-resource-llmkeyvault.cmd ENGINE_ADDRESS
rem It runs the provider in its own virtual environment beside this file. When that
rem environment is missing (a fresh plugin install), it is made from the lock beside
rem this file (requirements.txt: exact versions, with hashes; anything else is refused)
rem and the provider's wheel, with the pinned uv.exe shipped in the plugin archive. All
rem set-up output goes to stderr, since the engine reads the provider's port from stdout.
rem Needs Python 3.10 or later (python.org or the Microsoft Store), or LLMKEYVAULT_PYTHON.
setlocal
set "here=%~dp0"
set "venv=%here%venv"
set "lock=%here%.venv.lock"
if exist "%venv%\Scripts\python.exe" goto run

rem One start installs at a time: mkdir is atomic. Gives up after ten minutes.
set /a waited=0
:lock
mkdir "%lock%" 2>nul && goto locked
if %waited% geq 600 (
  echo llmkeyvault: another start has held %lock% for ten minutes; delete it if no install is running 1>&2
  exit /b 1
)
ping -n 2 127.0.0.1 >nul
set /a waited+=1
goto lock

:locked
if exist "%venv%\Scripts\python.exe" goto unlock
echo llmkeyvault: first start, installing the provider's dependencies into %venv% 1>&2
set "python=%LLMKEYVAULT_PYTHON%"
if not defined python set "python=>=3.10"
if exist "%venv%.partial" rmdir /s /q "%venv%.partial"
"%here%uv.exe" --quiet --no-config --no-python-downloads venv --python "%python%" "%venv%.partial" 1>&2 || goto failed
set "VIRTUAL_ENV=%venv%.partial"
"%here%uv.exe" --quiet --no-config pip install --require-hashes --no-deps --only-binary :all: -r "%here%requirements.txt" 1>&2 || goto failed
for %%w in ("%here%llmkeyvault_provider-*.whl") do (
  "%here%uv.exe" --quiet --no-config pip install --no-deps --no-index "%%~fw" 1>&2 || goto failed
)
set "VIRTUAL_ENV="
move "%venv%.partial" "%venv%" >nul || goto failed
:unlock
rmdir /s /q "%lock%"

:run
endlocal & "%~dp0venv\Scripts\python.exe" -m llmkeyvault_provider %*
exit /b %errorlevel%

:failed
rmdir /s /q "%lock%"
exit /b 1
