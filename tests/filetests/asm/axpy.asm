# axpy (float, array(float64, 1d, C), array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
block0:
  vmovsd (%rdi), %xmm0
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rax
  movq 0x38(%rdi), %r9
  movq 0x40(%rdi), %rax
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rax
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label21; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x18(%rdi), %rax
  movq %rax, %r10
  addq $0x0, %r10
  seto %cl
  cmpq %r9, %r10
  setg %r9b
  orl %ecx, %r9d
  testb %r9b, %r9b
  jnz     label5; j label6
block6:
  movq %rax, %r9
  addq $0x0, %r9
  seto %cl
  cmpq %r8, %r9
  setg %r8b
  orl %ecx, %r8d
  testb %r8b, %r8b
  jnz     label7; j label8
block8:
  movq 0x48(%rdi), %rcx
  movq 0x58(%rdi), %rdx
  leaq (%rcx, %rdx, 8), %r9
  movq 8(%rdi), %rdx
  cmpq %rdx, %r9
  setbe %r10b
  leaq (%rdx, %rax, 8), %r8
  cmpq %rcx, %r8
  setbe %r8b
  orl %r8d, %r10d
  movq 0x28(%rdi), %r8
  cmpq %r8, %r9
  setbe %bl
  movq 0x38(%rdi), %r9
  leaq (%r8, %r9, 8), %r9
  cmpq %rcx, %r9
  setbe %r9b
  orl %r9d, %ebx
  uninit  %r9
  xorq %r9, %r9
  leaq -4(%rax), %r12
  movabsq $0x8000000000000000, %r11
  cmpq (%rip), %rax
  cmovgeq %r12, %r11
  vmovsd (%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r10b, %bl
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label14
block11:
  cmpq %r11, %r9
  jnle    label12; j label13
block12:
  jmp     label14
block13:
  vmulpd (%rdx, %r9, 8), %xmm1, %xmm2
  vaddpd (%r8, %r9, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%rcx, %r9, 8)
  leaq 2(%r9), %r10
  vmulpd (%rdx, %r10, 8), %xmm1, %xmm2
  vaddpd (%r8, %r10, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%rcx, %r10, 8)
  leaq 4(%r9), %r9
  jmp     label11
block14:
  jmp     label15
block15:
  cmpq %rax, %r9
  jnl     label18; j label16
block16:
  vmulsd (%rdx, %r9, 8), %xmm0, %xmm1
  vaddsd (%r8, %r9, 8), %xmm1, %xmm1
  vmovsd %xmm1, (%rcx, %r9, 8)
  jmp     label17
block17:
  leaq 1(%r9), %r9
  jmp     label15
block18:
  jmp     label19
block19:
  movq 0x48(%rdi), %rcx
  movq 0x50(%rdi), %rdx
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rdi
  movq %rcx, (%rsi)
  movq %rdx, 8(%rsi)
  movq %r8, 0x10(%rsi)
  movq %rdi, 0x18(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label20
block7:
  jmp     label20
block20:
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %r9
  movq 0x18(%rdi), %r10
  movq 0x20(%rdi), %r11
  movq %r8, 0x18(%rdx)
  movq %r9, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %r11, 0x30(%rdx)
  movq 0x28(%rdi), %r11
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rsi
  movq 0x40(%rdi), %r8
  movq %r11, 0x38(%rdx)
  movq %rcx, 0x40(%rdx)
  movq %rsi, 0x48(%rdx)
  movq %r8, 0x50(%rdx)
  movq 0x48(%rdi), %rcx
  movq 0x50(%rdi), %rsi
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rdi
  movq %rcx, 0x58(%rdx)
  movq %rsi, 0x60(%rdx)
  movq %r8, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %rax, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq $0x0, 0x88(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rcx
  movq 0x18(%rdi), %rsi
  movq 0x20(%rdi), %r8
  movq %rax, 0x18(%rdx)
  movq %rcx, 0x20(%rdx)
  movq %rsi, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rsi
  movq 0x40(%rdi), %r8
  movq %rax, 0x38(%rdx)
  movq %rcx, 0x40(%rdx)
  movq %rsi, 0x48(%rdx)
  movq %r8, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %rsi
  movq 0x60(%rdi), %rdi
  movq %rax, 0x58(%rdx)
  movq %rcx, 0x60(%rdx)
  movq %rsi, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
